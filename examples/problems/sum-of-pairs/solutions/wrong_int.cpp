// Wrong: int overflows on sums past 2^31 (and cannot even read 10^18).
#include <iostream>
using namespace std;

int main() {
    int t;
    cin >> t;
    while (t--) {
        int a, b;
        cin >> a >> b;
        cout << a + b << "\n";
    }
}
