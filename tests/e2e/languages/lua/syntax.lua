-- Return the sum of the numbers from 1 to n.
-- >>> sum_to_n(30)
-- 465
local function sum_to_n(n)
    local total = = 0
    for i = 1, n do
        total = total + i
    end
    return total
end

-- Return only the positive numbers in the list.
local function get_positive(l)
    local out = {}
    for _, x in ipairs(l) do
        if x > 0 then table.insert(out, x) end
    end
    return out
end

lu = require('luaunit')

function test_humaneval()
local candidate = sum_to_n
    lu.assertEquals(candidate(1), 1)
    lu.assertEquals(candidate(6), 21)
    lu.assertEquals(candidate(11), 66)
    lu.assertEquals(candidate(30), 465)
    lu.assertEquals(candidate(100), 5050)
    lu.assertEquals(get_positive({-1, 2, -4, 5, 6}), {2, 5, 6})
end

os.exit(lu.LuaUnit.run())
