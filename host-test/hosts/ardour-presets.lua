-- tguard in Ardour 7, headless (ardour7-lua, "None (Dummy)" backend).
--
--   ardour7-lua ardour-presets.lua SESSION_DIR EXPECTED
--   ardour7-lua ardour-presets.lua SESSION_DIR EXPECTED EXPORT_DIR N
--
-- EXPECTED (written by check-ardour.sh from the preset Turtle files) holds
--   P <tab> label <tab> preset URI
--   C <tab> port index <tab> symbol <tab> value     (one line per control)
-- The first form adds urn:tguard:stereo to one stereo track per preset, by
-- preset label as a user picks it from Ardour's preset menu, and compares
-- every control Ardour holds with the preset. The second exports 5 s of
-- 0 dBFS white noise through the plugin with preset N, from the master bus
-- to EXPORT_DIR/N.wav, for the caller to check the current against the
-- preset's limits.
--
-- One export per process, which then exits at once: in Ardour 7.3, freeing
-- a SimpleExport whose master path has latency (tguard reports 96 frames at 48 kHz)
-- double-frees in ~PortExportChannel (seen under gdb; valgrind finds no
-- error in tguard; the same script with latency-free a-comp never crashes).
-- A second export in one process crashes the same way, and even exit()
-- sometimes crashes in Ardour's teardown; the caller then accepts the
-- export when its mark exists and the file is complete.
local session_dir, expected_path, export_dir = arg[1], arg[2], arg[3]
local export_n = tonumber(arg[4])
local uri = "urn:tguard:stereo"
local rate = 48000
local failures = 0

local function fail(msg)
	print("FAIL: " .. msg)
	failures = failures + 1
end

-- Read the expected presets.
local presets = {}
for line in io.lines(expected_path) do
	local f = {}
	for field in string.gmatch(line, "[^\t]+") do f[#f + 1] = field end
	if f[1] == "P" then
		presets[#presets + 1] = { label = f[2], uri = f[3], controls = {} }
	elseif f[1] == "C" then
		local c = presets[#presets].controls
		c[#c + 1] = { index = tonumber(f[2]), symbol = f[3], value = tonumber(f[4]) }
	end
end
assert(#presets > 0, "no presets in " .. expected_path)

assert(create_session(session_dir, "tguard", rate), "cannot create a session in " .. session_dir)

-- Ardour lists our presets as factory presets of the plugin.
local listed = {}
for info in ARDOUR.LuaAPI.list_plugins():iter() do
	if info.unique_id == uri then
		for pset in info:get_presets(false):iter() do listed[pset.label] = pset.uri end
	end
end
for _, p in ipairs(presets) do
	if listed[p.label] ~= p.uri then
		fail(string.format("preset \"%s\" is not in Ardour's list for %s", p.label, uri))
	end
end

-- Every input control's value, by port index. Ardour numbers parameters
-- over the control ports alone (nth_parameter maps that number to the port
-- index, and get_processor_param takes it), while parameter_count,
-- parameter_is_control and parameter_is_input take port indices. The two
-- agree only up to the first audio port: v_peak (0.2) comes after them.
local function port_values(proc)
	local plug = proc:to_insert():plugin(0)
	local values = {}
	local n = 0
	for j = 0, plug:parameter_count() - 1 do
		if plug:parameter_is_control(j) then
			if plug:nth_parameter(n) == j and plug:parameter_is_input(j) then
				values[j] = ARDOUR.LuaAPI.get_processor_param(proc, n, true)
			end
			n = n + 1
		end
	end
	return values, plug
end

-- Ardour objects are only touched inside these functions: every Lua
-- reference to a track must be collected before close_session(), or the
-- track is destroyed after its session (a use after free in Ardour).
local function export_one()
	local p = presets[export_n]
	local tracks = Session:new_audio_track(2, 2, nil, 1, "tguard",
		ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true)
	for track in tracks:iter() do
		local noise = ARDOUR.LuaAPI.new_luaproc(Session, "ACE Noise")
		assert(not noise:isnil(), "Ardour's Lua noise generator is missing")
		assert(track:add_processor_by_index(noise, 0, nil, true) == 0)
		ARDOUR.LuaAPI.set_processor_param(noise, 0, 0) -- 0 dBFS
		local proc = ARDOUR.LuaAPI.new_plugin(Session, uri, ARDOUR.PluginType.LV2, p.label)
		assert(not proc:isnil(), "Ardour cannot create " .. uri .. " with preset " .. p.label)
		assert(track:add_processor_by_index(proc, 1, nil, true) == 0)
		assert(track:nth_plugin(0):display_name() == "ACE Noise", "the noise is not first")
	end
	local e = Session:simple_export()
	-- Float WAV: our export preset (see check-ardour.sh), not the dithered
	-- 16-bit default, whose rounding could cross the limits.
	assert(e:set_preset("6c5e3f0e-2b1a-4c2e-9f4d-7a8b9c0d1e2f"), "float WAV export preset missing")
	e:set_folder(export_dir)
	e:set_name(tostring(export_n))
	e:set_range(0, 5 * rate)
	assert(e:run_export(), "export failed for " .. p.label)
	print(string.format("exported: %s/%d.wav\t%s", export_dir, export_n, p.label))
	io.stdout:flush()
	-- A mark that the export finished, should Ardour crash in its teardown.
	local done = assert(io.open(string.format("%s/%d.done", export_dir, export_n), "w"))
	done:write(p.label, "\n")
	done:close()
	os.exit(0) -- before Lua frees the SimpleExport (see the top)
end

local function verify()
	local tracks = Session:new_audio_track(2, 2, nil, #presets, "tguard",
		ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true)
	local n, verified = 0, 0
	for track in tracks:iter() do
		n = n + 1
		local p = presets[n]
		local proc = ARDOUR.LuaAPI.new_plugin(Session, uri, ARDOUR.PluginType.LV2, p.label)
		if proc:isnil() then
			fail("Ardour cannot create " .. uri .. " with preset " .. p.label)
		else
			assert(track:add_processor_by_index(proc, 0, nil, true) == 0)
			local values, plug = port_values(proc)
			local bad = 0
			for _, c in ipairs(p.controls) do
				local v = values[c.index]
				if v == nil or math.abs(v - c.value) > 1e-5 * math.max(1, math.abs(c.value)) then
					fail(string.format("%s: %s is %s in Ardour, %s in the preset", p.label, c.symbol,
						tostring(v), tostring(c.value)))
					bad = bad + 1
				end
			end
			local last = plug:last_preset()
			if last.uri ~= p.uri then
				fail(string.format("%s: Ardour's last preset is <%s>", p.label, tostring(last.uri)))
				bad = bad + 1
			end
			if bad == 0 then
				verified = verified + 1
				print(string.format("ok: \"%s\": %d controls equal the preset", p.label, #p.controls))
			end
			p.proc = proc
		end
	end
	print(string.format("presets verified: %d of %d", verified, #presets))

	-- Ardour reports the plugin's latency for its compensation.
	local lat = presets[1].proc:to_insert():signal_latency()
	print("latency reported to Ardour: " .. tostring(lat) .. " samples")
	if lat ~= 96 * rate // 48000 then fail("latency " .. tostring(lat) .. ", expected 96") end

	-- Ardour's bypass button drives the port designated lv2:enabled: the
	-- plugin stays active, so its limiter keeps protecting.
	local proc = presets[1].proc
	local pi = proc:to_insert()
	pi:enable(false)
	sleep(0.2)
	local off, active = ARDOUR.LuaAPI.get_processor_param(proc, 0, true), proc:active()
	pi:enable(true)
	sleep(0.2)
	local on = ARDOUR.LuaAPI.get_processor_param(proc, 0, true)
	print(string.format("bypass in Ardour: enable %g, still active: %s; enable %g again", off,
		tostring(active), on))
	if off ~= 0 or not active or on ~= 1 then fail("Ardour's bypass does not drive enable") end
	proc, pi = nil, nil
	for _, p in ipairs(presets) do p.proc = nil end
end

if export_n then export_one() else verify() end
collectgarbage()
collectgarbage()
close_session()
print(string.format("ardour: %d failures", failures))
assert(failures == 0, "ardour check failed")
