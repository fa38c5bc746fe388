/*
 * httpdate.c - the three HTTP-date forms to Unix time, by hand: strptime
 * and timegm depend on the locale and the C library.  See httpdate.h.
 */
#include "limits/httpdate.h"

#include <stddef.h>

static const char *const wdays[7] = {"Monday",   "Tuesday", "Wednesday",
                                     "Thursday", "Friday",  "Saturday",
                                     "Sunday"};
static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr",
                                       "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"};

static char lower(char c)
{
  return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
  c = lower(c);
  return c >= 'a' && c <= 'z';
}

/* s[0..n) equals word[0..n) and word has exactly n characters, or n is 3
   and word starts with s[0..3) (the short form) */
static bool name_is(const char *s, size_t n, const char *word, bool shrt)
{
  size_t i;
  for(i = 0; i < n; i++) {
    if(!word[i] || lower(s[i]) != lower(word[i]))
      return false;
  }
  return shrt ? n == 3 : !word[n];
}

/* Reads a day name, short or long; returns the letters read or 0. */
static size_t day_name(const char *s)
{
  size_t n = 0;
  int i;
  while(is_alpha(s[n]))
    n++;
  for(i = 0; i < 7; i++) {
    if(name_is(s, n, wdays[i], true) || name_is(s, n, wdays[i], false))
      return n;
  }
  return 0;
}

/* Reads a three-letter month name: 1..12, or 0. */
static int month_name(const char **pp)
{
  const char *s = *pp;
  int i;
  if(!is_alpha(s[0]) || !is_alpha(s[1]) || !is_alpha(s[2]) || is_alpha(s[3]))
    return 0;
  for(i = 0; i < 12; i++) {
    if(name_is(s, 3, months[i], true)) {
      *pp = s + 3;
      return i + 1;
    }
  }
  return 0;
}

/* Reads exactly n digits. */
static bool digits(const char **pp, int n, int *out)
{
  const char *s = *pp;
  int v = 0, i;
  for(i = 0; i < n; i++) {
    if(!is_digit(s[i]))
      return false;
    v = v * 10 + (s[i] - '0');
  }
  *pp = s + n;
  *out = v;
  return true;
}

static bool lit(const char **pp, const char *word)
{
  const char *s = *pp;
  while(*word) {
    if(*s++ != *word++)
      return false;
  }
  *pp = s;
  return true;
}

/* "hh:mm:ss" */
static bool clock_time(const char **pp, int *h, int *m, int *sec)
{
  return digits(pp, 2, h) && lit(pp, ":") && digits(pp, 2, m) &&
         lit(pp, ":") && digits(pp, 2, sec) && *h <= 23 && *m <= 59 &&
         *sec <= 60; /* a leap second counts as the next minute's 0 */
}

static bool leap(int64_t y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
  int64_t era, yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* The year of a count of days since 1970-01-01 (H. Hinnant). */
static int64_t year_from_days(int64_t z)
{
  int64_t era, doe, yoe, doy, mp;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  return yoe + era * 400 + (mp >= 10 ? 1 : 0);
}

static int64_t two_digit_year(int yy, int64_t ref)
{
  int64_t days = ref >= 0 ? ref / 86400 : -((-ref + 86399) / 86400);
  int64_t now = year_from_days(days);
  int64_t y = now - now % 100 + yy;
  if(y > now + 50)
    y -= 100;
  else if(y + 100 <= now + 50)
    y += 100;
  return y;
}

static void skip_ows(const char **pp)
{
  while(**pp == ' ' || **pp == '\t')
    (*pp)++;
}

bool sl_http_date_parse(const char *s, int64_t ref, int64_t *t)
{
  static const int mdays[12] = {31, 28, 31, 30, 31, 30,
                                31, 31, 30, 31, 30, 31};
  const char *p = s;
  int64_t year;
  int mon, day, y, h, m, sec;
  size_t n;

  if(!s)
    return false;
  skip_ows(&p);
  n = day_name(p);
  if(!n)
    return false;
  p += n;
  if(lit(&p, ", ")) {
    if(!digits(&p, 2, &day))
      return false;
    if(*p == ' ') { /* IMF-fixdate */
      p++;
      if(!(mon = month_name(&p)) || !lit(&p, " ") || !digits(&p, 4, &y))
        return false;
      year = y;
    } else { /* RFC 850 */
      if(!lit(&p, "-") || !(mon = month_name(&p)) || !lit(&p, "-") ||
         !digits(&p, 2, &y))
        return false;
      year = two_digit_year(y, ref);
    }
    if(!lit(&p, " ") || !clock_time(&p, &h, &m, &sec) || !lit(&p, " GMT"))
      return false;
  } else if(lit(&p, " ")) { /* asctime: "Nov  6" or "Nov 06" */
    if(!(mon = month_name(&p)) || !lit(&p, " "))
      return false;
    if(*p == ' ') {
      p++;
      if(!digits(&p, 1, &day))
        return false;
    } else if(!digits(&p, 2, &day))
      return false;
    if(!lit(&p, " ") || !clock_time(&p, &h, &m, &sec) || !lit(&p, " ") ||
       !digits(&p, 4, &y))
      return false;
    year = y;
  } else
    return false;
  skip_ows(&p);
  if(*p)
    return false;

  if(year < 1900 || day < 1 ||
     day > mdays[mon - 1] + (mon == 2 && leap(year) ? 1 : 0))
    return false;
  *t = days_from_civil(year, mon, day) * 86400 + h * 3600 + m * 60 + sec;
  return true;
}
