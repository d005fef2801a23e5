import { decodeEncodedWords, emailToText } from './mime-text';

const message = (headers: string[], body: string): string => `${headers.join('\n')}\n\n${body}`;

describe('emailToText', () => {
  it('keeps the subject and body and drops every other header', () => {
    const raw = message(
      [
        'From sender@example.com  Thu Aug 22 12:36:23 2002',
        'Received: from relay',
        'Subject: Lunch?',
        'To: a@b.c',
      ],
      'Noon at the usual place.',
    );

    expect(emailToText(raw)).toBe('Lunch?\n\nNoon at the usual place.');
  });

  it('decodes quoted-printable bodies with their charset', () => {
    const raw = message(
      [
        'Subject: Caf=E9',
        'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: quoted-printable',
      ],
      'Un caf=E9 cr=E8me, s=\nvp.',
    );

    expect(emailToText(raw)).toBe('Caf=E9\n\nUn café crème, svp.');
  });

  it('decodes base64 parts, prefers text/plain alternatives and skips attachments', () => {
    const raw = message(
      ['Subject: Parts', 'Content-Type: multipart/mixed; boundary="outer"'],
      [
        '--outer',
        'Content-Type: multipart/alternative; boundary=inner',
        '',
        '--inner',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('Plain words').toString('base64'),
        '--inner',
        'Content-Type: text/html',
        '',
        '<p>HTML words</p>',
        '--inner--',
        '--outer',
        'Content-Type: application/pdf',
        'Content-Disposition: attachment; filename=a.pdf',
        '',
        'JVBERi0xLjQK',
        '--outer--',
      ].join('\n'),
    );

    expect(emailToText(raw)).toBe('Parts\n\nPlain words');
  });

  it('reduces HTML to its visible text with entities decoded', () => {
    const raw = message(
      ['Subject: Offer', 'Content-Type: text/html'],
      '<html><head><style>p{color:red}</style></head><body><p>Save&nbsp;50&#37; &amp; more</p><!-- hidden --><script>x()</script></body></html>',
    );

    expect(emailToText(raw)).toBe('Offer\n\nSave 50% & more');
  });
});

describe('decodeEncodedWords', () => {
  it('decodes RFC 2047 B and Q words and joins adjacent ones', () => {
    expect(decodeEncodedWords('=?utf-8?B?SGVsbG8=?= =?iso-8859-1?Q?_w=F6rld?=')).toBe(
      'Hello wörld',
    );
  });
});
