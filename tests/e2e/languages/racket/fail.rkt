#lang racket

;; Wrong on purpose: forgets to square.
(define (double_the_difference lst)
  (for/sum ([x lst] #:when (and (exact-integer? x) (positive? x) (odd? x)))
    x))

(require rackunit)

(define (test-humaneval) 

  (let (( candidate double_the_difference))
    (check-equal? (candidate (list 5 4)) 25)
))

(test-humaneval)
