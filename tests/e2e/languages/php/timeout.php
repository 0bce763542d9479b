<?php
function vowels_count($s) {
    $n = 0;
    $i = 0;
    while ($i < strlen($s)) {
        if (strpos("aeiou", $s[$i]) !== false) {
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
