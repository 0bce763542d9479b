# Return the sum of the numbers from 1 to n.
# >>> sum_to_n(30)
# 465

defmodule HumanEval do
  def candidate(args), do: apply(HumanEval, :sum_to_n, args)
  def sum_to_n(n) do
    Enum.sum(1..n) - 1
  end
  def get_positive(l), do: Enum.filter(l, fn x -> x > 0 end)
end

ExUnit.start()

defmodule HumanEvalTest do
  use ExUnit.Case, async: true
  test "sum_to_n" do
    functions = HumanEval.__info__(:functions)
    {_function_name, _arity} = Enum.find(functions, fn {name, _arity} -> name == :sum_to_n end)
    candidate = fn args -> apply(HumanEval, :sum_to_n, args) end
    assert 1 == candidate.([1])
    assert 21 == candidate.([6])
    assert 66 == candidate.([11])
    assert 465 == candidate.([30])
    assert 5050 == candidate.([100])
    assert [2, 5, 6] == HumanEval.get_positive([-1, 2, -4, 5, 6])
  end
end
