// Checker for "no adjacent neighbours", in the testlib convention but without
// testlib: run as `checker INPUT OUTPUT ANSWER` (the contestant's output is
// OUTPUT, the jury's answer ANSWER); exit 0 accepted, 1 wrong answer,
// 2 presentation error, 3 checker failure; one line of explanation on stderr.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

enum { OK = 0, WA = 1, PE = 2, FAIL = 3 };

static int verdict(int code, const std::string &msg) {
    static const char *names[] = {"ok", "wrong answer", "wrong output format", "FAIL"};
    std::cerr << names[code] << " " << msg << "\n";
    return code;
}

static bool read_tokens(const char *path, std::vector<std::string> &out) {
    std::ifstream f(path);
    if (!f) return false;
    std::string tok;
    while (f >> tok) out.push_back(tok);
    return true;
}

// A decimal integer with no sign, no leading zeros; -1 if it is not one.
static long long parse_int(const std::string &s) {
    if (s.empty() || s.size() > 12 || (s[0] == '0' && s.size() > 1)) return -1;
    long long v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    return v;
}

static bool says_none(const std::vector<std::string> &t) {
    return t.size() == 2 && t[0] == "NO" && t[1] == "SOLUTION";
}

int main(int argc, char **argv) {
    if (argc < 4) return verdict(FAIL, "usage: checker INPUT OUTPUT ANSWER");
    std::vector<std::string> in, out, ans;
    if (!read_tokens(argv[1], in) || !read_tokens(argv[2], out) || !read_tokens(argv[3], ans))
        return verdict(FAIL, "cannot open the input, output or answer file");
    long long n = in.empty() ? -1 : parse_int(in[0]);
    if (n < 1) return verdict(FAIL, "the input holds no n");
    bool jury_none = says_none(ans);

    if (!out.empty() && out[0] == "NO") {
        if (!says_none(out)) return verdict(PE, "expected NO SOLUTION or numbers");
        if (jury_none) return verdict(OK, "no solution, right");
        return verdict(WA, "said NO SOLUTION, but a permutation exists");
    }
    std::vector<long long> p;
    for (size_t i = 0; i < out.size(); i++) {
        long long v = parse_int(out[i]);
        if (v < 0) {
            std::ostringstream m;
            m << "token " << i + 1 << " is neither a number nor NO SOLUTION: '"
              << out[i].substr(0, 20) << "'";
            return verdict(PE, m.str());
        }
        p.push_back(v);
    }
    if ((long long)p.size() != n) {
        std::ostringstream m;
        m << "expected " << n << " numbers, found " << p.size();
        return verdict(WA, m.str());
    }
    std::vector<bool> seen(n + 1, false);
    for (size_t i = 0; i < p.size(); i++) {
        std::ostringstream m;
        if (p[i] < 1 || p[i] > n) {
            m << "number " << i + 1 << " is " << p[i] << ", not in 1.." << n;
            return verdict(WA, m.str());
        }
        if (seen[p[i]]) {
            m << p[i] << " appears twice";
            return verdict(WA, m.str());
        }
        seen[p[i]] = true;
        if (i > 0 && std::llabs(p[i] - p[i - 1]) == 1) {
            m << "neighbours " << p[i - 1] << " and " << p[i] << " at positions " << i << " and "
              << i + 1 << " differ by 1";
            return verdict(WA, m.str());
        }
    }
    if (jury_none) return verdict(FAIL, "the participant found a permutation the jury did not");
    std::ostringstream m;
    m << n << " numbers";
    return verdict(OK, m.str());
}
