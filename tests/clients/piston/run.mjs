// Drives the npm piston-client, unmodified, against a Piston-compatible
// server: node run.mjs http://127.0.0.1:PORT. Prints one JSON object with
// what each call returned, for tests/e2e/test_piston.py to compare.
import piston from "piston-client";

const client = piston({ server: process.argv[2] });
const out = {};
const runtimes = await client.runtimes();
out.runtimes = Array.isArray(runtimes) ? runtimes.map(r => r.language) : runtimes;
// The README's first example: language and code, nothing else.
out.hello = await client.execute("python", "print('Hello, World!')");
// With options: stdin, args, a run timeout; a compiled language.
out.stdin = await client.execute("python", "import sys\nprint(sys.stdin.read().upper(), sys.argv[1:])",
  { stdin: "hey", args: ["a", "b"], runTimeout: 2000 });
out.cpp = await client.execute("c++", "#include <iostream>\nint main(){std::cout<<6*7<<std::endl;}");
// Files, with a name; an alias is not a name to this client (it looks the
// version up by exact name, and finds none): the server says why.
out.files = await client.execute({ language: "python", files: [{ name: "x.py", content: "print(2+2)" }] });
out.alias = await client.execute("py", "print(1)");
console.log(JSON.stringify(out));
