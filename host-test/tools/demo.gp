# make demo: the transducer's current over one render, without tguard and
# with it, against the preset's limits. plot_presets --demo writes the
# script that sets these variables and loads this file:
#
#   label, figures     the preset's label and its key figures
#   sig, rendered      the built-in signal and the file tguard-render wrote
#   dat                per window: time (s), then peak and RMS current (mA)
#                      without tguard, then with it
#   out                the PNG to write
#   ipk, irms, ifs     peak and RMS limits, full-scale current vfs / z (mA)
#   tau, secs          the RMS limit's time constant; the render's length (s)

reset
set encoding utf8
# Titles hold labels: no enhanced-text markup. The style is plots.gp's.
if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
	set terminal pngcairo size 1000,900 font "DejaVu Sans,11" linewidth 1.2 noenhanced
} else {
	set terminal png size 1000,900 noenhanced
}
set output out
set multiplot layout 2,1 title label."\n".figures font ",13" noenhanced margins 0.08,0.97,0.07,0.86 spacing 0.1
set grid xtics ytics lc rgb "#d8d8d8"
set border lc rgb "#404040"
set key opaque box lc rgb "#b0b0b0" top center horizontal maxrows 2
edge = "#707070"
meas = "#1060b0"
heat = "#e07000"
limit = "#c02020"

# The same axes in both panels; the key above the highest line.
top = 1.5 * (ifs > ipk ? ifs : ipk)
set xrange [0:secs]
set yrange [0:top]
set xlabel "time (s)"
set ylabel "current (mA)"

set title sprintf("Without tguard: %s played straight to the card (clipped at full scale)", sig)
plot dat using 1:2 with lines lw 1 lc rgb meas title "peak current (highest |i| per 10 ms)", \
     "" using 1:3 with lines lw 2.5 lc rgb heat title sprintf("RMS current (heat, tau %g s)", tau), \
     ipk with lines lw 2 lc rgb limit title sprintf("peak limit %g mA", ipk), \
     irms with lines lw 2 dt 2 lc rgb limit title sprintf("RMS limit %g mA", irms), \
     ifs with lines lw 1.5 dt 3 lc rgb edge title sprintf("full scale vfs/z %.3g mA", ifs)

set title sprintf("With tguard: %s", rendered)
plot dat using 1:4 with lines lw 1 lc rgb meas title "peak current (highest |i| per 10 ms)", \
     "" using 1:5 with lines lw 2.5 lc rgb heat title sprintf("RMS current (heat, tau %g s)", tau), \
     ipk with lines lw 2 lc rgb limit title sprintf("peak limit %g mA", ipk), \
     irms with lines lw 2 dt 2 lc rgb limit title sprintf("RMS limit %g mA", irms), \
     ifs with lines lw 1.5 dt 3 lc rgb edge title sprintf("full scale vfs/z %.3g mA", ifs)

unset multiplot
set output
