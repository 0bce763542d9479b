# Wrong on purpose: returns the first element.
def max_element(l)
  l[0]
end

require 'test/unit'
class TestHumanEval < Test::Unit::TestCase
  def test_max_element
    candidate = method(:max_element)
    assert_equal(3, candidate.call([1, 2, 3]))
  end
end
