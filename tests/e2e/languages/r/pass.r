# Return the number of times the digit 7 appears in integers less than n
# which are divisible by 11 or 13.
fizz_buzz <- function(n) {
  count <- 0
  if (n > 0) {
    for (i in 0:(n - 1)) {
      if (i %% 11 == 0 || i %% 13 == 0) {
        digits <- strsplit(as.character(i), "")[[1]]
        count <- count + sum(digits == "7")
      }
    }
  }
  count
}
test_humaneval <- function() {
candidate <- fizz_buzz
    if(!identical(candidate(50), 0)){quit('no', 1)}
    if(!identical(candidate(78), 2)){quit('no', 1)}
    if(!identical(candidate(79), 3)){quit('no', 1)}
    if(!identical(candidate(100), 3)){quit('no', 1)}
}
test_humaneval()
