<?php
function vowels_count($s) {
    $n = 0
    foreach (str_split(strtolower($s)) as $c) {
        if (strpos("aeiou", $c) !== false) {
            $n++;
        }
    }
    return $n;
}

function candidate(...$args) {
    return vowels_count(...$args);
}

function test(): void {
    if (candidate("abcde") !== 2) { throw new Exception("Test failed!"); }
}

test();
