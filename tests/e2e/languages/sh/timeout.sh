#!/bin/bash
# $1 is a string
flip_case() {
    local s="$1" out="" i=0
    while (( i < ${#s} )); do
        out="${s:i:1}"
    done
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
