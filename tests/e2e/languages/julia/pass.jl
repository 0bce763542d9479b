"""Return the number of times the substring occurs in the string, overlaps counted."""
function how_many_times(string::String, substring::String)::Int64
    if isempty(substring)
        return 0
    end
    count = 0
    for i in 1:(length(string) - length(substring) + 1)
        if string[i:i + length(substring) - 1] == substring
            count += 1
        end
    end
    return count
end

using Test

@testset begin

candidate = how_many_times;
	@test(candidate("", "x") == 0)
	@test(candidate("xyxyxyx", "x") == 4)
	@test(candidate("cacacacac", "cac") == 4)
	@test(candidate("john doe", "john") == 1)
end
