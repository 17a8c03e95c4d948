#include "doc/timestamp.h"

#include <cstring>

#include "util/varint.h"

namespace kiln::doc {
namespace {

// Dates are counted in days from 0400-03-01 BC (proleptic Gregorian, year
// -400): every date from 0000-01-01 on is then a non-negative count, and a
// year starting in March puts the leap day at the end of the year, so that
// the day of the year follows from the month by one linear formula.
constexpr uint64_t kDaysPer400Years = 146097;
constexpr uint64_t kEpochDay = 865565;  // 1970-01-01 in that count
constexpr uint64_t kSecondsPerDay = 86400;
// Seconds from day 0 to the Unix epoch: adding it makes every valid time
// non-negative, so all the arithmetic below is unsigned division.
constexpr uint64_t kEpochSecond = kEpochDay * kSecondsPerDay;

// Days of months counted from March (index 0) through February.
uint64_t day_number(unsigned year, unsigned month, unsigned day) {
  unsigned y = year + 400 - (month <= 2 ? 1 : 0);
  unsigned from_march = month > 2 ? month - 3 : month + 9;
  unsigned era = y / 400, year_of_era = y % 400;
  unsigned day_of_year = (153 * from_march + 2) / 5 + day - 1;
  uint64_t day_of_era = year_of_era * 365u + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * kDaysPer400Years + day_of_era;
}

struct Civil {
  unsigned year, month, day;
};

Civil civil_date(uint64_t day_count) {
  auto era = static_cast<unsigned>(day_count / kDaysPer400Years);
  auto day_of_era = static_cast<unsigned>(day_count % kDaysPer400Years);
  // Years of 365 days, corrected for the leap days of 4-, 100- and 400-year
  // cycles that end before this day.
  unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  unsigned from_march = (5 * day_of_year + 2) / 153;
  Civil c;
  c.day = day_of_year - (153 * from_march + 2) / 5 + 1;
  c.month = from_march < 10 ? from_march + 3 : from_march - 9;
  c.year = year_of_era + era * 400 - 400 + (c.month <= 2 ? 1 : 0);
  return c;
}

bool is_leap(unsigned year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

unsigned days_in_month(unsigned year, unsigned month) {
  static constexpr uint8_t kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// n decimal digits at p, or false.
bool read_digits(const char* p, int n, unsigned* out) {
  unsigned v = 0;
  for (int i = 0; i < n; ++i) {
    unsigned d = static_cast<unsigned char>(p[i]) - static_cast<unsigned>('0');
    if (d > 9) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

// "00" .. "99", for writing two digits with one copy.
struct DigitPairs {
  char chars[200];
  constexpr DigitPairs() : chars() {
    for (int i = 0; i < 100; ++i) {
      chars[2 * i] = static_cast<char>('0' + i / 10);
      chars[2 * i + 1] = static_cast<char>('0' + i % 10);
    }
  }
};
constexpr DigitPairs kPairs;

// v < 100.
inline void put_pair(char* out, unsigned v) { std::memcpy(out, kPairs.chars + 2 * v, 2); }

}  // namespace

bool parse_stamp(std::string_view s, uint64_t* code) {
  size_t n = s.size();
  if (n != kStampSecondsLen && n != kStampMillisLen) return false;
  const char* p = s.data();
  if (p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':' || p[n - 1] != 'Z') return false;
  bool millis = n == kStampMillisLen;
  unsigned year, month, day, hour, minute, second, milli = 0;
  if (!read_digits(p, 4, &year) || !read_digits(p + 5, 2, &month) || !read_digits(p + 8, 2, &day) ||
      !read_digits(p + 11, 2, &hour) || !read_digits(p + 14, 2, &minute) || !read_digits(p + 17, 2, &second)) {
    return false;
  }
  if (millis && (p[19] != '.' || !read_digits(p + 20, 3, &milli))) return false;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 ||
      second > 59) {
    return false;
  }
  uint64_t since_day0 = day_number(year, month, day) * kSecondsPerDay + hour * 3600u + minute * 60u + second;
  auto t = static_cast<int64_t>(since_day0 - kEpochSecond);  // may be negative: before 1970
  if (millis) t = t * 1000 + milli;
  *code = zigzag(t) << 1 | (millis ? 1 : 0);
  return true;
}

size_t format_stamp(uint64_t code, char* out) {
  bool millis = code & 1;
  // Back to a non-negative count from day 0 (wrapping is harmless: a corrupt
  // code gives a wrong date below, nothing worse).
  uint64_t t = static_cast<uint64_t>(unzigzag(code >> 1));
  unsigned milli = 0;
  if (millis) {
    t += kEpochSecond * 1000;
    milli = static_cast<unsigned>(t % 1000);
    t /= 1000;
  } else {
    t += kEpochSecond;
  }
  Civil c = civil_date(t / kSecondsPerDay);
  auto second_of_day = static_cast<unsigned>(t % kSecondsPerDay);
  unsigned year = c.year % 10000;
  put_pair(out, year / 100);
  put_pair(out + 2, year % 100);
  out[4] = '-';
  put_pair(out + 5, c.month);
  out[7] = '-';
  put_pair(out + 8, c.day);
  out[10] = 'T';
  put_pair(out + 11, second_of_day / 3600);
  out[13] = ':';
  put_pair(out + 14, second_of_day / 60 % 60);
  out[16] = ':';
  put_pair(out + 17, second_of_day % 60);
  if (!millis) {
    out[19] = 'Z';
    return kStampSecondsLen;
  }
  out[19] = '.';
  out[20] = static_cast<char>('0' + milli / 100);
  put_pair(out + 21, milli % 100);
  out[23] = 'Z';
  return kStampMillisLen;
}

}  // namespace kiln::doc
