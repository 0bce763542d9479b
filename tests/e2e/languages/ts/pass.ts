//Return a list of the words in the string that have exactly n consonants,
// in order of appearance.
function select_words(s: string, n: number): string[] {
  const result: string[] = [];
  for (const word of s.split(" ")) {
    if (word.length === 0) {
      continue;
    }
    let consonants = 0;
    for (const ch of word.toLowerCase()) {
      if (!"aeiou".includes(ch)) {
        consonants += 1;
      }
    }
    if (consonants === n) {
      result.push(word);
    }
  }
  return result;
}

declare var require: any;
const assert = require('node:assert');


function test() {
  let candidate = select_words;
  assert.deepEqual(candidate("Mary had a little lamb", 4),["little"]);
  assert.deepEqual(candidate("Mary had a little lamb", 3),["Mary", "lamb"]);
  assert.deepEqual(candidate("simple white space", 2),[]);
  assert.deepEqual(candidate("", 4),[]);
}

test();
