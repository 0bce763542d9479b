#!/bin/bash
# $1 is a string
flip_case() {
    local s="$1" out="" i
    for (( i = 0; i < ${#s}; i++ )); do
        out+="${s:i:1}"
    echo "$out"
}

candidate() {
    flip_case "$@"
}

set -e
run_test() {
    [[ $(candidate "Hello!") = "hELLO!" ]]
}

run_test
