#lang racket

(define (double_the_difference lst)
  (let loop ([rest lst] [acc 0])
    (if (null? rest)
        acc
        (loop rest acc))))

(require rackunit)

(define (test-humaneval) 

  (let (( candidate double_the_difference))
    (check-equal? (candidate (list 5 4)) 25)
))

(test-humaneval)
