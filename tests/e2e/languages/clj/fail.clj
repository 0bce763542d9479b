(defn sum_to_n
  "Return the sum of the numbers from 1 to n.
  >>> (sum_to_n 30)
  465"
  [n]
  (reduce + (range 1 n)))

(defn get_positive
  "Return only the positive numbers in the list."
  [l]
  (vec (filter pos? l)))

(require '[clojure.test :refer [deftest is run-test]])

(def candidate sum_to_n)

(deftest test-humaneval

  (is (= (candidate 1) 1))
  (is (= (candidate 6) 21))
  (is (= (candidate 11) 66))
  (is (= (candidate 30) 465))
  (is (= (candidate 100) 5050))
  (is (= (get_positive [-1 2 -4 5 6]) [2 5 6]))
)

(run-test test-humaneval)
