import { firstLine, isToken, stripPrefixes, unsubscribeCommand } from '../../src/inbox/unsubscribe';

const TOKEN = 'abcdefghijklmnop';
const B64 = 'Ab-_0123456789xyZQ';

describe('unsubscribeCommand: a command is the whole line', () => {
  test.each([
    ['unsubscribe', {}],
    ['UNSUBSCRIBE', {}],
    ['  Unsubscribe.  ', {}],
    ['unsubscribe!', {}],
    ['unsubscribe !!', {}],
    ['unsubscribe rali-olst', { series: 'rali-olst' }],
    ['unsubscribe RALI-OLST', { series: 'rali-olst' }],
    ['unsubscribe   rali-olst', { series: 'rali-olst' }],
    ['unsubscribe seminaires.2030_a', { series: 'seminaires.2030_a' }],
    [`unsubscribe ${TOKEN}`, { token: TOKEN }],
    [`unsubscribe ${B64}`, { token: B64 }],
    [`unsubscribe ${B64}==`, { token: `${B64}==` }],
    [`unsubscribe rali-olst ${B64}`, { series: 'rali-olst', token: B64 }],
    [`unsubscribe rali-olst ${TOKEN}.`, { series: 'rali-olst', token: TOKEN }],
    ['désabonner', {}],
    ['Désabonnement', {}],
    ['désinscription', {}],
    ['desinscription rali-olst', { series: 'rali-olst' }],
    ['désinscrire', {}],
    ['desabonner', {}],
    ['desabonnement', {}],
    ['desinscrire', {}],
    ['De\u0301sabonner', {}],
    ['unsubscribe me', {}],
    ['Please unsubscribe me.', {}],
    ['Désabonnez-moi !', {}],
    ['desabonnez-moi', {}],
    ['Désinscrivez-moi', {}],
    ['desinscrivez-moi', {}],
  ])('%j is a command', (line, command) => {
    expect(unsubscribeCommand(line)).toEqual(command);
  });

  test.each([
    'please do not unsubscribe me',
    'Please do not unsubscribe me.',
    'ne me désabonnez surtout pas !',
    'Pourriez-vous me désabonner de cette liste ? Merci.',
    'unsubscribe my old address x@example.org, keep this one',
    'unsubscribe x@example.org',
    'I want to unsubscribe',
    'unsubscribed',
    'unsubscribe rali-olst now please',
    `unsubscribe ${TOKEN} rali-olst`,
    'unsubscribe rali olst',
    'unsubscribe -rali',
    `unsubscribe ${'a'.repeat(65)}.x`,
    'unsubscribe ?',
    '',
    'subscribe',
    'unsubscribe me please',
  ])('%j is not a command', (line) => {
    expect(unsubscribeCommand(line)).toBeUndefined();
  });
});

describe('isToken: a run of 16 or more base64url / base32 characters', () => {
  test.each([
    [TOKEN, true],
    ['a'.repeat(15), false],
    ['a'.repeat(256), true],
    ['a'.repeat(257), false],
    [`${TOKEN}======`, true],
    [`${TOKEN}=======`, false],
    [`${TOKEN}=a`, false],
    [`x${TOKEN.slice(1)}+`, false],
    [`a/${TOKEN}`, false],
    [`${TOKEN} `, false],
    [` ${TOKEN}`, false],
  ])('%j → %s', (s, ok) => {
    expect(isToken(s)).toBe(ok);
  });
});

describe('stripPrefixes', () => {
  test.each([
    ['Re: unsubscribe', 'unsubscribe'],
    ['RE:unsubscribe', 'unsubscribe'],
    ['Fwd: Re: unsubscribe', 'unsubscribe'],
    ['Fw : unsubscribe', 'unsubscribe'],
    ['TR: AW: WG: x', 'x'],
    ['Re[2]: x', 'x'],
    ['Re[100]: x', 'x'],
    ['Re[1000]: x', 'Re[1000]: x'],
    ['  unsubscribe  ', 'unsubscribe'],
    ['Reunion: x', 'Reunion: x'],
    ['Re x', 'Re x'],
    ['Ref: x', 'Ref: x'],
    ['x Re: y', 'x Re: y'],
  ])('%j → %j', (subject, rest) => {
    expect(stripPrefixes(subject)).toBe(rest);
  });
});

describe('firstLine', () => {
  test('the first line neither empty nor quoted, trimmed', () => {
    expect(firstLine('\r\n  \n> quoted\n>> more\n  unsubscribe  \nnext')).toBe('unsubscribe');
    expect(firstLine('a\rb')).toBe('a');
    expect(firstLine('> only quoted\n\n')).toBe('');
    expect(firstLine('')).toBe('');
  });
});
