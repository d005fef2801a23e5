import { csvFields } from './input-rows';

describe(csvFields.name, () => {
  it('splits fields, with quotes, doubled quotes and commas inside quotes', () => {
    expect(csvFields('a,"b, c","say ""hi""",')).toEqual(['a', 'b, c', 'say "hi"', '']);
  });

  it('reports an open quoted field, whose record goes on on the next line', () => {
    expect(csvFields('r2,"Win a FREE')).toBeUndefined();
    expect(csvFields('r2,"Win a FREE\ncruise"')).toEqual(['r2', 'Win a FREE\ncruise']);
  });
});
