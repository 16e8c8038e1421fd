package pmml

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// PMML's temporal dataTypes. date, time and dateTime are kTemporal values;
// the counting types (dateDaysSince[1970], timeSeconds,
// dateTimeSecondsSince[1970], ...) are integers counted from January 1st
// of their year (or from midnight). A text input is read as ISO 8601:
// "2024-03-01", "13:45:00", "2024-03-01T13:45:00" (fractional seconds and
// a trailing "Z" are accepted; other UTC offsets are not, because PMML's
// temporal values are local times).
var temporalTypes = map[string]dataType{
	"date":                       dtDate,
	"time":                       dtTime,
	"dateTime":                   dtDateTime,
	"dateDaysSince[0]":           dtDateDaysSince0,
	"dateDaysSince[1960]":        dtDateDaysSince1960,
	"dateDaysSince[1970]":        dtDateDaysSince1970,
	"dateDaysSince[1980]":        dtDateDaysSince1980,
	"timeSeconds":                dtTimeSeconds,
	"dateTimeSecondsSince[0]":    dtDateTimeSecondsSince0,
	"dateTimeSecondsSince[1960]": dtDateTimeSecondsSince1960,
	"dateTimeSecondsSince[1970]": dtDateTimeSecondsSince1970,
	"dateTimeSecondsSince[1980]": dtDateTimeSecondsSince1980,
}

const secondsPerDay = 86400

// Markers in value.s telling which temporal type a kTemporal value is.
const (
	tagDate     = "date"
	tagTime     = "time"
	tagDateTime = "dateTime"
)

func temporal(sec float64, tag string) value { return value{k: kTemporal, n: sec, s: tag} }

// yearEpoch is January 1st of year as seconds since 1970-01-01 (proleptic
// Gregorian calendar, as ISO 8601 and Java use).
func yearEpoch(year int) float64 {
	return float64(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Unix())
}

// countBase returns, for a counting type, the epoch it counts from and
// the length of its unit in seconds.
func countBase(d dataType) (epoch, unit float64) {
	switch d {
	case dtDateDaysSince0:
		return yearEpoch(0), secondsPerDay
	case dtDateDaysSince1960:
		return yearEpoch(1960), secondsPerDay
	case dtDateDaysSince1970:
		return 0, secondsPerDay
	case dtDateDaysSince1980:
		return yearEpoch(1980), secondsPerDay
	case dtDateTimeSecondsSince0:
		return yearEpoch(0), 1
	case dtDateTimeSecondsSince1960:
		return yearEpoch(1960), 1
	case dtDateTimeSecondsSince1980:
		return yearEpoch(1980), 1
	}
	return 0, 1 // dateTimeSecondsSince[1970], timeSeconds
}

// maxTemporalText bounds a temporal text input before it is parsed.
const maxTemporalText = 64

// parseTemporal reads an ISO 8601 date, time or dateTime; tag says which
// it found.
func parseTemporal(s string) (sec float64, tag string, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) > maxTemporalText || s == "" {
		return 0, "", false
	}
	s = strings.TrimSuffix(s, "Z")
	if len(s) >= 3 && s[2] == ':' { // a time of day
		t, ok := parseClock(s)
		return t, tagTime, ok
	}
	datePart, clock, hasClock := strings.Cut(s, "T")
	if !hasClock {
		datePart, clock, hasClock = strings.Cut(s, " ")
	}
	d, err := time.Parse("2006-01-02", datePart)
	if err != nil {
		return 0, "", false
	}
	sec = float64(d.Unix())
	if !hasClock {
		return sec, tagDate, true
	}
	t, ok := parseClock(clock)
	if !ok {
		return 0, "", false
	}
	return sec + t, tagDateTime, true
}

// parseClock reads hh:mm[:ss[.fff]] as seconds since midnight.
func parseClock(s string) (float64, bool) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || len(parts[0]) != 2 || len(parts[1]) != 2 || h < 0 || h > 24 || m < 0 || m > 59 {
		return 0, false
	}
	sec := 0.0
	if len(parts) == 3 {
		if len(parts[2]) < 2 || parts[2][0] == '+' || parts[2][0] == '-' {
			return 0, false
		}
		var err error
		if sec, err = strconv.ParseFloat(parts[2], 64); err != nil || sec < 0 || sec >= 61 {
			return 0, false
		}
	}
	if h == 24 && (m != 0 || sec != 0) {
		return 0, false
	}
	return float64(h*3600+m*60) + sec, true
}

// formatTemporal prints a kTemporal value as ISO 8601.
func formatTemporal(v value) string {
	if v.s == tagTime {
		return formatClock(v.n)
	}
	day := math.Floor(v.n / secondsPerDay)
	if math.IsInf(day, 0) || math.Abs(day) > 1e8 {
		return strconv.FormatFloat(v.n, 'g', -1, 64)
	}
	d := time.Unix(int64(day)*secondsPerDay, 0).UTC().Format("2006-01-02")
	if v.s == tagDate {
		return d
	}
	return d + "T" + formatClock(v.n-day*secondsPerDay)
}

func formatClock(sec float64) string {
	whole := int64(math.Floor(sec))
	s := strconv.Itoa(int(whole / 3600)) // may exceed 24 for a time past midnight
	if len(s) < 2 {
		s = "0" + s
	}
	b := []byte(s)
	b = append(b, ':', byte('0'+whole/60%60/10), byte('0'+whole/60%10), ':', byte('0'+whole%60/10), byte('0'+whole%10))
	if frac := sec - float64(whole); frac > 0 {
		f := strconv.FormatFloat(frac, 'f', -1, 64)
		b = append(b, f[1:]...)
	}
	return string(b)
}

// castTemporal converts to date, time or dateTime: text is parsed as ISO
// 8601; a date becomes a dateTime at midnight, a dateTime a date (its day)
// or a time (its clock). A number is not a date: it has no unit.
func castTemporal(v value, d dataType) (value, bool) {
	sec, tag := v.n, v.s
	switch v.k {
	case kStr:
		var ok bool
		if sec, tag, ok = parseTemporal(v.s); !ok {
			return missing, false
		}
	case kTemporal:
	default:
		return missing, false
	}
	switch d {
	case dtDate:
		if tag == tagTime {
			return missing, false
		}
		return temporal(math.Floor(sec/secondsPerDay)*secondsPerDay, tagDate), true
	case dtTime:
		if tag == tagDate {
			return missing, false
		}
		if tag == tagDateTime {
			sec -= math.Floor(sec/secondsPerDay) * secondsPerDay
		}
		return temporal(sec, tagTime), true
	}
	if tag == tagTime {
		return missing, false
	}
	return temporal(sec, tagDateTime), true
}

// castCount converts to a counting temporal type: a date or dateTime
// (or its ISO text) is counted from the type's epoch, whole days or
// seconds rounded down; a number is taken as the count itself and must be
// whole.
func castCount(v value, d dataType) (value, bool) {
	if v.k == kStr {
		if _, err := parseNumber(v.s); err != nil {
			sec, tag, ok := parseTemporal(v.s)
			if !ok {
				return missing, false
			}
			v = temporal(sec, tag)
		}
	}
	if v.k == kTemporal {
		if (d == dtTimeSeconds) != (v.s == tagTime) && !(d == dtTimeSeconds && v.s == tagDateTime) {
			return missing, false
		}
		if d == dtTimeSeconds {
			return num(math.Floor(v.n - math.Floor(v.n/secondsPerDay)*secondsPerDay)), true
		}
		epoch, unit := countBase(d)
		return num(math.Floor((v.n - epoch) / unit)), true
	}
	f, ok := v.number()
	if !ok || f != math.Trunc(f) || math.IsInf(f, 0) {
		return missing, false
	}
	return num(f), true
}
