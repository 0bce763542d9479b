#!/bin/bash
# Return the string with the case of every letter flipped.
#
# $1 is a string
flip_case() {
    local s="$1" out="" c i
    for (( i = 0; i < ${#s}; i++ )); do
        c="${s:i:1}"
        if [[ $c =~ [a-z] ]]; then
            out+="${c^^}"
        elif [[ $c =~ [A-Z] ]]; then
            out+="${c,,}"
        else
            out+="$c"
        fi
    done
    echo "$out"
}

candidate() {
    flip_case "$@"
}

set -e
run_test() {
    [[ $(candidate "") = "" ]]
    [[ $(candidate "Hello!") = "hELLO!" ]]
    [[ $(candidate "These violent delights have violent ends") = "tHESE VIOLENT DELIGHTS HAVE VIOLENT ENDS" ]]
}

run_test
