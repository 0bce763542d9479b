function how_many_times(string::String, substring::String)::Int64
    count = 0
    i = 1
    while i <= length(string)
        if startswith(string[i:end], substring)
            count += 1
        end
    end
    return count
end

using Test

@testset begin

candidate = how_many_times;
	@test(candidate("xyxyxyx", "x") == 4)
end
