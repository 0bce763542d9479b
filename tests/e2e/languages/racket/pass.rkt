#lang racket

;; Return the sum of the squares of the odd numbers in the list.
(define (double_the_difference lst)
  (for/sum ([x lst] #:when (and (exact-integer? x) (positive? x) (odd? x)))
    (* x x)))

(require rackunit)

(define (test-humaneval) 

  (let (( candidate double_the_difference))
    (check-equal? (candidate (list )) 0)
    (check-equal? (candidate (list 5 4)) 25)
    (check-equal? (candidate (list 1 3 2 0)) 10)
    (check-equal? (candidate (list -1 -2 8)) 0)
))

(test-humaneval)
