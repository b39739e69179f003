import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonForm, keyValuePairs, processWord, processWords, rawWords } from './words.ts';

const vars = new Map([['A', 'one'], ['EMPTY', ''], ['SP', 'x y']]);

test('variables: $A, ${A}, defaults and alternatives', () => {
  assert.is(processWord('$A-${A}', vars), 'one-one');
  assert.is(processWord('${MISSING:-def}|${EMPTY:-def}|${EMPTY-def}', vars), 'def|def|');
  assert.is(processWord('${A:+alt}|${MISSING:+alt}|${EMPTY+set}', vars), 'alt||set');
  assert.is(processWord('${MISSING:-${A}}', vars), 'one');
  assert.is(processWord('$MISSING|$|$1', vars), '|$|');
  assert.throws(() => processWord('${MISSING:?must be set}', vars), /MISSING: must be set/);
  assert.throws(() => processWord('${A%x}', vars), /unsupported modifier/);
});

test('quotes and escapes', () => {
  assert.is(processWord(`'$A'`, vars), '$A');
  assert.is(processWord(`"$A \\"q\\" \\$A \\n"`, vars), 'one "q" $A \\n');
  assert.is(processWord('a\\ b\\$A', vars), 'a b$A');
  assert.is(processWord('`x`', vars, '`'), 'x');
  assert.throws(() => processWord(`"open`, vars), /double-quote/);
});

test('words split on unquoted whitespace only', () => {
  assert.equal(rawWords(`a "b c" 'd e' f\\ g`), ['a', '"b c"', `'d e'`, 'f\\ g']);
  assert.equal(processWords('$SP "$SP"', vars), ['x y', 'x y']);
});

test('key=value pairs and the legacy form', () => {
  assert.equal(keyValuePairs('ENV', 'A=1 B="two words" C=$A', vars), [['A', '1'], ['B', 'two words'], ['C', 'one']]);
  assert.equal(keyValuePairs('ENV', 'OLD  legacy $A form', vars), [['OLD', 'legacy one form']]);
  assert.throws(() => keyValuePairs('ENV', 'ALONE', vars), /two arguments/);
  assert.throws(() => keyValuePairs('LABEL', '=x', vars), /blank/);
});

test('exec form is a JSON array of strings', () => {
  assert.equal(jsonForm('["a", "b c"]'), ['a', 'b c']);
  assert.is(jsonForm('[not json'), undefined);
  assert.is(jsonForm('[1, 2]'), undefined);
  assert.is(jsonForm('echo hi'), undefined);
});

test.run();
