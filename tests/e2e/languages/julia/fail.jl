"""Wrong on purpose: counts non-overlapping occurrences."""
function how_many_times(string::String, substring::String)::Int64
    return length(findall(substring, string))
end

using Test

@testset begin

candidate = how_many_times;
	@test(candidate("cacacacac", "cac") == 4)
end
