-- wrk script: prints one machine-readable line after wrk's own report, for bench/run.sh.
-- Used alone for the GET tests (no per-response hook, so wrk's cost stays the same for hello and
-- wenming) and loaded by post.lua. Latencies are in microseconds.
--   BENCH requests=… rps=… p50_us=… p99_us=… status_errors=… socket_errors=… ok2xx=…
-- status_errors: responses with status >= 400 (wrk's own count); ok2xx: responses with a 2xx
-- status when the script defines a response hook that counts them in the global `ok`, else -1.

local threads = {}

function setup(thread)
	table.insert(threads, thread)
	thread:set("id", #threads)
end

function done(summary, latency, requests)
	local ok, counted = 0, false
	for _, t in ipairs(threads) do
		local n = t:get("ok")
		if type(n) == "number" then
			ok, counted = ok + n, true
		end
	end
	local e = summary.errors
	io.write(string.format(
		"BENCH requests=%d duration_us=%d rps=%.1f p50_us=%.0f p90_us=%.0f p99_us=%.0f" ..
		" max_us=%.0f status_errors=%d socket_errors=%d connect_errors=%d timeouts=%d" ..
		" bytes=%d ok2xx=%d\n",
		summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
		latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
		e.status, e.connect + e.read + e.write + e.timeout, e.connect, e.timeout,
		summary.bytes, counted and ok or -1))
end
