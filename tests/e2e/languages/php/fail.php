<?php
// Wrong on purpose: counts only lowercase vowels.
function vowels_count($s) {
    $n = 0;
    foreach (str_split($s) as $c) {
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
    if (candidate("Alone") !== 3) { throw new Exception("Test failed!"); }
}

test();
