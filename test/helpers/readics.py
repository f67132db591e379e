"""
Reads calendars with python-icalendar the way a client does, for test/integration/zones-readers.
Input, one JSON object a line: {"id": ..., "ics": "..."}. Output, one a line:
{"id": ..., "events": [{"uid": ..., "dtstart": ms, "dtend": ms}]} or {"id": ..., "error": "..."}.

Every TZID is renamed to one python-icalendar does not know, so that times are placed by the
VTIMEZONE in the file (a known name would be read from pytz's own database instead), and the
cache python-icalendar keeps of the VTIMEZONEs it has read is emptied before each calendar.
"""
import json
import re
import sys
from datetime import timezone

import icalendar

try:
    from icalendar.timezone_cache import _timezone_cache  # icalendar 4 and 5
except ImportError:  # pragma: no cover
    _timezone_cache = None

PREFIX = 'X-RALI-TEST/'

for line in sys.stdin:
    if not line.strip():
        continue
    case = json.loads(line)
    text = case['ics']
    for tzid in set(re.findall(r'^TZID:(.+?)\r?$', text, re.M)):
        text = text.replace('TZID:' + tzid + '\r\n', 'TZID:' + PREFIX + tzid + '\r\n')
        text = text.replace('TZID=' + tzid + ':', 'TZID=' + PREFIX + tzid + ':')
    if _timezone_cache is not None:
        _timezone_cache.clear()
    out = {'id': case['id']}
    try:
        events = []
        for ev in icalendar.Calendar.from_ical(text).walk('VEVENT'):
            times = {'uid': str(ev['UID'])}
            for prop in ('DTSTART', 'DTEND'):
                dt = ev.decoded(prop)
                if dt.tzinfo is None or dt.utcoffset() is None:
                    raise ValueError(prop + ' read without a time zone: ' + str(dt))
                times[prop.lower()] = round(dt.astimezone(timezone.utc).timestamp() * 1000)
            events.append(times)
        out['events'] = events
    except Exception as e:  # reported, and the test fails on it
        out['error'] = type(e).__name__ + ': ' + str(e)
    sys.stdout.write(json.dumps(out) + '\n')
