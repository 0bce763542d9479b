def max_element(l)
  best = l[0]
  l.each { |x| best = x if x > best
  best
end

require 'test/unit'
class TestHumanEval < Test::Unit::TestCase
  def test_max_element
    candidate = method(:max_element)
    assert_equal(3, candidate.call([1, 2, 3]))
  end
end
