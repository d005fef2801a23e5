import { HELD_OUT_FRACTION, SPAM_LABELS, loadSpamSplit } from './corpus';

describe('loadSpamSplit', () => {
  const { train, heldOut } = loadSpamSplit();

  it('never puts a message on both sides of the split', () => {
    const trainIds = new Set(train.map((e) => e.id));
    const trainTexts = new Set(train.map((e) => e.text));

    expect(heldOut.filter((e) => trainIds.has(e.id) || trainTexts.has(e.text))).toEqual([]);
  });

  it.each(SPAM_LABELS)('holds out %s messages in the fixed proportion', (label) => {
    const held = heldOut.filter((e) => e.label === label).length;
    const total = held + train.filter((e) => e.label === label).length;

    expect(held).toBe(Math.round(total * HELD_OUT_FRACTION));
  });

  it('labels by corpus group', () => {
    for (const e of [...train, ...heldOut])
      expect(e.label).toBe(e.id.startsWith('spam') ? 'spam' : 'ham');
  });

  it('keeps no mail plumbing in the texts', () => {
    const plumbing = /^(received|return-path|message-id|x-[a-z-]+|content-type):/im;
    const leaked = [...train, ...heldOut].filter((e) => plumbing.test(e.text.split('\n\n')[0]));

    expect(leaked).toEqual([]);
  });
});
