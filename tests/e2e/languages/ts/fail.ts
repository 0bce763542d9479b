//Wrong on purpose: counts vowels instead of consonants.
function select_words(s: string, n: number): string[] {
  return s.split(" ").filter((w) => w.split("").filter((c) => "aeiou".includes(c)).length === n);
}

declare var require: any;
const assert = require('node:assert');


function test() {
  let candidate = select_words;
  assert.deepEqual(candidate("Mary had a little lamb", 4),["little"]);
}

test();
