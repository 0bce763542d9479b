function select_words(s: string, n: number): string[] {
  let count: number = "zero";
  return s.split(" ").filter((w) => w.length === n + count);
}

declare var require: any;
const assert = require('node:assert');


function test() {
  let candidate = select_words;
  assert.deepEqual(candidate("Mary had a little lamb", 4),["little"]);
}

test();
