# tguard preset plots: draw one preset's measurements into one PNG. The
# script plot_presets writes (build/plots/presets.gp) sets these variables
# and loads this file once per preset:
#
#   label, figures         title: the preset's label, its key figures
#   dat                    data path prefix: dat."-response.dat" and so on
#   out                    the PNG to write
#   hpf, hpf_order, lpf, lpf_order   band edges (order 0: no filter)
#   ipk, irms, ifs         peak and RMS limits, full-scale current (mA)
#   resp_dbfs, env_dbfs    probe levels of panels 1 and 2
#   ramp_done              soft-start completion from the render report (s)
#   cur_s                  length of each render of panel 3 (s)

reset
set encoding utf8
# Titles hold labels and control names: no enhanced-text markup.
if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
	set terminal pngcairo size 1000,1300 font "DejaVu Sans,11" linewidth 1.2 noenhanced
} else {
	set terminal png size 1000,1300 noenhanced
}
set output out
set multiplot layout 3,1 title label."\n".figures font ",13" noenhanced margins 0.09,0.96,0.05,0.88 spacing 0.09
set grid xtics ytics mxtics lc rgb "#d8d8d8"
set border lc rgb "#404040"
set key opaque box lc rgb "#b0b0b0"
edge = "#707070"
meas = "#1060b0"
limit = "#c02020"

# 1: magnitude response.
set title sprintf("Magnitude response: %g dBFS sines, gain of the settled output", resp_dbfs)
set logscale x
set xrange [20:20000]
set xtics ("20" 20, "50" 50, "100" 100, "200" 200, "500" 500, "1k" 1000, "2k" 2000, \
           "5k" 5000, "10k" 10000, "20k" 20000)
set mxtics 10
set xlabel "frequency (Hz)"
set ylabel "gain (dB)"
# The band above 0 dB holds the key: no curve rises there.
set yrange [-60:12]
set ytics 6
set key top center horizontal
if (hpf_order > 0) {
	set arrow 1 from hpf, graph 0 to hpf, graph 1 nohead dt 2 lw 1.5 lc rgb edge
}
if (lpf_order > 0) {
	set arrow 2 from lpf, graph 0 to lpf, graph 1 nohead dt 2 lw 1.5 lc rgb edge
}
plot dat."-response.dat" using 1:2 with linespoints pt 7 ps 0.5 lw 2 lc rgb meas \
         title "measured gain", \
     NaN with lines dt 2 lw 1.5 lc rgb edge title "hpf_hz, lpf_hz settings"
unset arrow

# 2: soft-start envelope.
set title sprintf("Soft start: 1 kHz sine at %.1f dBFS, output RMS in 10 ms windows", env_dbfs)
unset logscale x
set xrange [0:*]
set xtics autofreq
set mxtics default
set xlabel "time (s)"
set ylabel "output RMS / final RMS"
set yrange [0:1.1]
set ytics 0.2
set key right center vertical
set arrow 1 from ramp_done, graph 0 to ramp_done, graph 1 nohead dt 2 lw 1.5 lc rgb edge
plot dat."-ramp.dat" using 1:2 with lines lw 2 lc rgb meas title "measured envelope", \
     NaN with lines dt 2 lw 1.5 lc rgb edge \
         title sprintf("soft start complete (report: %.3f s)", ramp_done)
unset arrow

# 3: current against input level.
set title sprintf("Output current vs input level: 1 kHz sine, %.1f s renders; the highest value of each", cur_s)
set xrange [-40:20]
set xtics 4
set xlabel "input level (dBFS peak)"
set ylabel "current (mA, log scale)"
set logscale y
# Room above the highest limit, so that its line is clear of the border.
set yrange [*:2 * (ipk > irms ? ipk : irms)]
set ytics autofreq
set format y "%g"
set key bottom right vertical
# The full-scale current bounds the output before any limit does: draw it
# when it is the lower of the two.
if (ifs < ipk) {
	plot dat."-current.dat" using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb meas \
	         title "peak current (report peak_ma)", \
	     "" using 1:3 with linespoints pt 6 ps 0.6 lw 2 dt 2 lc rgb meas \
	         title "highest RMS current (report rms_ma)", \
	     ipk with lines lw 2 lc rgb limit title sprintf("i_peak_ma limit %g mA", ipk), \
	     irms with lines lw 2 dt 2 lc rgb limit title sprintf("i_rms_ma limit %g mA", irms), \
	     ifs with lines lw 1.5 dt 3 lc rgb edge title sprintf("full scale vfs/z %.3g mA", ifs)
} else {
	plot dat."-current.dat" using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb meas \
	         title "peak current (report peak_ma)", \
	     "" using 1:3 with linespoints pt 6 ps 0.6 lw 2 dt 2 lc rgb meas \
	         title "highest RMS current (report rms_ma)", \
	     ipk with lines lw 2 lc rgb limit title sprintf("i_peak_ma limit %g mA", ipk), \
	     irms with lines lw 2 dt 2 lc rgb limit title sprintf("i_rms_ma limit %g mA", irms)
}

unset multiplot
set output
