function how_many_times(string::String, substring::String)::Int64
    count = 0
    for i in 1:length(string)
        if startswith(string[i:end], substring)
            count += 1
    end
    return count
end

using Test

@testset begin

candidate = how_many_times;
	@test(candidate("xyxyxyx", "x") == 4)
end
