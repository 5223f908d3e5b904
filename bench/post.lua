-- wrk script: Open311 POST requests.json with an urlencoded body (no photo), varying the
-- service, the place (Dalian, ~38.91N 121.61E) and the description of every request.
-- Arguments (after `--`): API_KEY SERVICE_CODES (comma-separated).
-- Counts 2xx answers in the global `ok` (read by summary.lua's done) to check durability.

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "summary.lua")

local function urlencode(s)
	return (s:gsub("[^%w%-%._~]", function(c)
		return string.format("%%%02X", string.byte(c))
	end))
end

local what = { "人行道上有暴露垃圾", "路灯不亮", "井盖破损", "占道经营", "乱贴小广告",
	"共享单车乱停放", "绿化带被踩踏", "施工围挡破损", "道路积水", "违规户外广告牌" }
local where = { "中山路", "人民路", "五四路", "黄河路", "长江路", "西安路", "胜利路",
	"友好路", "高尔基路", "星海广场" }

local key, codes, path, headers, n

function init(args)
	key = urlencode(args[1] or "")
	codes = {}
	for c in string.gmatch(args[2] or "", "[^,]+") do
		table.insert(codes, urlencode(c))
	end
	if #codes == 0 then
		error("post.lua: usage: wrk … -s post.lua URL -- API_KEY SERVICE_CODES")
	end
	path = wrk.path
	headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
	math.randomseed(os.time() * 100 + (id or 0))
	n = 0
	ok = 0 -- global: summary.lua's done() reads it with thread:get("ok")
end

function request()
	n = n + 1
	local desc = string.format("%s%d号附近%s（压测 %d-%d）", where[math.random(#where)],
		math.random(1, 300), what[math.random(#what)], id or 0, n)
	local body = string.format("api_key=%s&service_code=%s&lat=%.6f&long=%.6f&description=%s",
		key, codes[math.random(#codes)], 38.86 + math.random() * 0.10,
		121.52 + math.random() * 0.16, urlencode(desc))
	return wrk.format("POST", path, headers, body)
end

function response(status, hdrs, body)
	if status >= 200 and status < 300 then
		ok = ok + 1
	end
end
