import type { InputRow } from './input-rows';
import { classifyRows, type PostStream } from './stream-client';

const rows: InputRow[] = [1, 2, 3].map((line) => ({ line, id: `r${line}`, text: `text ${line}` }));

describe(classifyRows.name, () => {
  it('sends again the rows from a 408 line on (a stream that went idle), not to the errors file', async () => {
    const bodies: string[] = [];
    // The server's answers: first a stream cut after line 1, then the rest answered.
    const post: PostStream = (body) => {
      bodies.push(body);
      const text =
        bodies.length === 1
          ? '{"id":"r1","label":"ham"}\n{"id":2,"line":2,"error":{"statusCode":408}}\n'
          : '{"id":"r2","label":"spam"}\n{"id":"r3","label":"ham"}\n';
      return Promise.resolve({ status: 200, text });
    };
    const answers = await classifyRows(post, rows, 3);
    expect(answers.map((answer) => answer.ok)).toEqual([true, true, true]);
    expect(bodies[1].trim().split('\n')).toHaveLength(2);
    expect(JSON.parse(answers[1].json)).toMatchObject({ id: 'r2', line: 2, label: 'spam' });
  });
});
