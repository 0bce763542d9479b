# Wrong on purpose: counts numbers containing 7, not the 7s themselves.
fizz_buzz <- function(n) {
  count <- 0
  for (i in 0:(n - 1)) {
    if ((i %% 11 == 0 || i %% 13 == 0) && grepl("7", as.character(i))) {
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
