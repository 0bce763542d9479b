fizz_buzz <- function(n) {
  count <- 0
  i <- 0
  while (i < n) {
    if (i %% 11 == 0 || i %% 13 == 0) {
      count <- count + 1
    }
  }
  count
}
test_humaneval <- function() {
candidate <- fizz_buzz
    if(!identical(candidate(78), 2)){quit('no', 1)}
}
test_humaneval()
