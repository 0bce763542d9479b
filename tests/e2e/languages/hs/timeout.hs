-- | Return the sum of the numbers from 1 to n.
-- >>> sumToN 30
-- 465
sumToN :: Int -> Int
sumToN n = length (filter (== (-1)) [n..])

-- | Return only the positive numbers in the list.
getPositive :: [Int] -> [Int]
getPositive l = filter (> 0) l

main :: IO ()
main = do
  let candidate = sumToN
  if candidate 1 == 1 then pure () else error "assertion failed"
  if candidate 6 == 21 then pure () else error "assertion failed"
  if candidate 11 == 66 then pure () else error "assertion failed"
  if candidate 30 == 465 then pure () else error "assertion failed"
  if candidate 100 == 5050 then pure () else error "assertion failed"
  if getPositive [(-1),2,(-4),5,6] == [2,5,6] then pure () else error "assertion failed"
  pure ()
