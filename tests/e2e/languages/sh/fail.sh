#!/bin/bash
# Wrong on purpose: upper-cases everything.
#
# $1 is a string
flip_case() {
    echo "${1^^}"
}

candidate() {
    flip_case "$@"
}

set -e
run_test() {
    [[ $(candidate "Hello!") = "hELLO!" ]]
}

run_test
