function select_words(s: string, n: number): string[] {
  const words = s.split(" ");
  const result: string[] = [];
  let i = 0;
  while (i < words.length) {
    if (words[i].length === n) {
      result.length = 0;
    }
  }
  return result;
}

declare var require: any;
const assert = require('node:assert');


function test() {
  let candidate = select_words;
  assert.deepEqual(candidate("Mary had a little lamb", 4),["little"]);
}

test();
