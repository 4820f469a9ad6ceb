import { isValidTimeZone } from './time-zone.ts';

/**
 * Windows time-zone names → IANA, for TZIDs written by Outlook/Exchange (iCalendar) and for Microsoft Graph.
 *
 * Data: the CLDR `windowsZones.xml` mapping (territory "001", the zone Windows itself treats as the default
 * for each Windows id), with IANA primary names where CLDR still lists a legacy alias (Asia/Kolkata, not
 * Asia/Calcutta). Each row also carries the Windows display name without its "(UTC±hh:mm)" prefix, because
 * Outlook 2003/2007 and OWA write display names (`(GMT+10:00) Canberra, Melbourne, Sydney`, or just
 * `Canberra, Melbourne, Sydney`) as TZIDs.
 */
export interface WindowsZone {
  /** Windows time-zone id, e.g. `W. Europe Standard Time`. */
  windowsId: string;
  /** Display name without the offset prefix, e.g. `Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna`. */
  displayName: string;
  /** Standard (non-DST) offset of the display prefix, in minutes east of UTC. */
  standardOffsetMinutes: number;
  iana: string;
}

type Row = readonly [windowsId: string, offset: string, displayName: string, iana: string];

// prettier-ignore
const ROWS: readonly Row[] = [
  ['Dateline Standard Time', '-12:00', 'International Date Line West', 'Etc/GMT+12'],
  ['UTC-11', '-11:00', 'Coordinated Universal Time-11', 'Etc/GMT+11'],
  ['Aleutian Standard Time', '-10:00', 'Aleutian Islands', 'America/Adak'],
  ['Hawaiian Standard Time', '-10:00', 'Hawaii', 'Pacific/Honolulu'],
  ['Marquesas Standard Time', '-09:30', 'Marquesas Islands', 'Pacific/Marquesas'],
  ['Alaskan Standard Time', '-09:00', 'Alaska', 'America/Anchorage'],
  ['UTC-09', '-09:00', 'Coordinated Universal Time-09', 'Etc/GMT+9'],
  ['Pacific Standard Time (Mexico)', '-08:00', 'Baja California', 'America/Tijuana'],
  ['UTC-08', '-08:00', 'Coordinated Universal Time-08', 'Etc/GMT+8'],
  ['Pacific Standard Time', '-08:00', 'Pacific Time (US & Canada)', 'America/Los_Angeles'],
  ['US Mountain Standard Time', '-07:00', 'Arizona', 'America/Phoenix'],
  ['Mountain Standard Time (Mexico)', '-07:00', 'Chihuahua, La Paz, Mazatlan', 'America/Mazatlan'],
  ['Mountain Standard Time', '-07:00', 'Mountain Time (US & Canada)', 'America/Denver'],
  ['Yukon Standard Time', '-07:00', 'Yukon', 'America/Whitehorse'],
  ['Central America Standard Time', '-06:00', 'Central America', 'America/Guatemala'],
  ['Central Standard Time', '-06:00', 'Central Time (US & Canada)', 'America/Chicago'],
  ['Easter Island Standard Time', '-06:00', 'Easter Island', 'Pacific/Easter'],
  ['Central Standard Time (Mexico)', '-06:00', 'Guadalajara, Mexico City, Monterrey', 'America/Mexico_City'],
  ['Canada Central Standard Time', '-06:00', 'Saskatchewan', 'America/Regina'],
  ['SA Pacific Standard Time', '-05:00', 'Bogota, Lima, Quito, Rio Branco', 'America/Bogota'],
  ['Eastern Standard Time (Mexico)', '-05:00', 'Chetumal', 'America/Cancun'],
  ['Eastern Standard Time', '-05:00', 'Eastern Time (US & Canada)', 'America/New_York'],
  ['Haiti Standard Time', '-05:00', 'Haiti', 'America/Port-au-Prince'],
  ['Cuba Standard Time', '-05:00', 'Havana', 'America/Havana'],
  ['US Eastern Standard Time', '-05:00', 'Indiana (East)', 'America/Indiana/Indianapolis'],
  ['Turks And Caicos Standard Time', '-05:00', 'Turks and Caicos', 'America/Grand_Turk'],
  ['Paraguay Standard Time', '-04:00', 'Asuncion', 'America/Asuncion'],
  ['Atlantic Standard Time', '-04:00', 'Atlantic Time (Canada)', 'America/Halifax'],
  ['Venezuela Standard Time', '-04:00', 'Caracas', 'America/Caracas'],
  ['Central Brazilian Standard Time', '-04:00', 'Cuiaba', 'America/Cuiaba'],
  ['SA Western Standard Time', '-04:00', 'Georgetown, La Paz, Manaus, San Juan', 'America/La_Paz'],
  ['Pacific SA Standard Time', '-04:00', 'Santiago', 'America/Santiago'],
  ['Newfoundland Standard Time', '-03:30', 'Newfoundland', 'America/St_Johns'],
  ['Tocantins Standard Time', '-03:00', 'Araguaina', 'America/Araguaina'],
  ['E. South America Standard Time', '-03:00', 'Brasilia', 'America/Sao_Paulo'],
  ['SA Eastern Standard Time', '-03:00', 'Cayenne, Fortaleza', 'America/Cayenne'],
  ['Argentina Standard Time', '-03:00', 'City of Buenos Aires', 'America/Argentina/Buenos_Aires'],
  ['Greenland Standard Time', '-03:00', 'Greenland', 'America/Nuuk'],
  ['Montevideo Standard Time', '-03:00', 'Montevideo', 'America/Montevideo'],
  ['Magallanes Standard Time', '-03:00', 'Punta Arenas', 'America/Punta_Arenas'],
  ['Saint Pierre Standard Time', '-03:00', 'Saint Pierre and Miquelon', 'America/Miquelon'],
  ['Bahia Standard Time', '-03:00', 'Salvador', 'America/Bahia'],
  ['UTC-02', '-02:00', 'Coordinated Universal Time-02', 'Etc/GMT+2'],
  ['Azores Standard Time', '-01:00', 'Azores', 'Atlantic/Azores'],
  ['Cape Verde Standard Time', '-01:00', 'Cabo Verde Is.', 'Atlantic/Cape_Verde'],
  ['UTC', '+00:00', 'Coordinated Universal Time', 'Etc/UTC'],
  ['GMT Standard Time', '+00:00', 'Dublin, Edinburgh, Lisbon, London', 'Europe/London'],
  ['Greenwich Standard Time', '+00:00', 'Monrovia, Reykjavik', 'Atlantic/Reykjavik'],
  ['Sao Tome Standard Time', '+00:00', 'Sao Tome', 'Africa/Sao_Tome'],
  ['Morocco Standard Time', '+01:00', 'Casablanca', 'Africa/Casablanca'],
  ['W. Europe Standard Time', '+01:00', 'Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna', 'Europe/Berlin'],
  ['Central Europe Standard Time', '+01:00', 'Belgrade, Bratislava, Budapest, Ljubljana, Prague', 'Europe/Budapest'],
  ['Romance Standard Time', '+01:00', 'Brussels, Copenhagen, Madrid, Paris', 'Europe/Paris'],
  ['Central European Standard Time', '+01:00', 'Sarajevo, Skopje, Warsaw, Zagreb', 'Europe/Warsaw'],
  ['W. Central Africa Standard Time', '+01:00', 'West Central Africa', 'Africa/Lagos'],
  ['Jordan Standard Time', '+02:00', 'Amman', 'Asia/Amman'],
  ['GTB Standard Time', '+02:00', 'Athens, Bucharest', 'Europe/Bucharest'],
  ['Middle East Standard Time', '+02:00', 'Beirut', 'Asia/Beirut'],
  ['Egypt Standard Time', '+02:00', 'Cairo', 'Africa/Cairo'],
  ['E. Europe Standard Time', '+02:00', 'Chisinau', 'Europe/Chisinau'],
  ['Syria Standard Time', '+02:00', 'Damascus', 'Asia/Damascus'],
  ['West Bank Standard Time', '+02:00', 'Gaza, Hebron', 'Asia/Hebron'],
  ['South Africa Standard Time', '+02:00', 'Harare, Pretoria', 'Africa/Johannesburg'],
  ['FLE Standard Time', '+02:00', 'Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius', 'Europe/Kyiv'],
  ['Israel Standard Time', '+02:00', 'Jerusalem', 'Asia/Jerusalem'],
  ['South Sudan Standard Time', '+02:00', 'Juba', 'Africa/Juba'],
  ['Kaliningrad Standard Time', '+02:00', 'Kaliningrad', 'Europe/Kaliningrad'],
  ['Sudan Standard Time', '+02:00', 'Khartoum', 'Africa/Khartoum'],
  ['Libya Standard Time', '+02:00', 'Tripoli', 'Africa/Tripoli'],
  ['Namibia Standard Time', '+02:00', 'Windhoek', 'Africa/Windhoek'],
  ['Arabic Standard Time', '+03:00', 'Baghdad', 'Asia/Baghdad'],
  ['Turkey Standard Time', '+03:00', 'Istanbul', 'Europe/Istanbul'],
  ['Arab Standard Time', '+03:00', 'Kuwait, Riyadh', 'Asia/Riyadh'],
  ['Belarus Standard Time', '+03:00', 'Minsk', 'Europe/Minsk'],
  ['Russian Standard Time', '+03:00', 'Moscow, St. Petersburg', 'Europe/Moscow'],
  ['E. Africa Standard Time', '+03:00', 'Nairobi', 'Africa/Nairobi'],
  ['Iran Standard Time', '+03:30', 'Tehran', 'Asia/Tehran'],
  ['Arabian Standard Time', '+04:00', 'Abu Dhabi, Muscat', 'Asia/Dubai'],
  ['Astrakhan Standard Time', '+04:00', 'Astrakhan, Ulyanovsk', 'Europe/Astrakhan'],
  ['Azerbaijan Standard Time', '+04:00', 'Baku', 'Asia/Baku'],
  ['Russia Time Zone 3', '+04:00', 'Izhevsk, Samara', 'Europe/Samara'],
  ['Mauritius Standard Time', '+04:00', 'Port Louis', 'Indian/Mauritius'],
  ['Saratov Standard Time', '+04:00', 'Saratov', 'Europe/Saratov'],
  ['Georgian Standard Time', '+04:00', 'Tbilisi', 'Asia/Tbilisi'],
  ['Volgograd Standard Time', '+04:00', 'Volgograd', 'Europe/Volgograd'],
  ['Caucasus Standard Time', '+04:00', 'Yerevan', 'Asia/Yerevan'],
  ['Afghanistan Standard Time', '+04:30', 'Kabul', 'Asia/Kabul'],
  ['West Asia Standard Time', '+05:00', 'Ashgabat, Tashkent', 'Asia/Tashkent'],
  ['Ekaterinburg Standard Time', '+05:00', 'Ekaterinburg', 'Asia/Yekaterinburg'],
  ['Pakistan Standard Time', '+05:00', 'Islamabad, Karachi', 'Asia/Karachi'],
  ['Qyzylorda Standard Time', '+05:00', 'Qyzylorda', 'Asia/Qyzylorda'],
  ['India Standard Time', '+05:30', 'Chennai, Kolkata, Mumbai, New Delhi', 'Asia/Kolkata'],
  ['Sri Lanka Standard Time', '+05:30', 'Sri Jayawardenepura', 'Asia/Colombo'],
  ['Nepal Standard Time', '+05:45', 'Kathmandu', 'Asia/Kathmandu'],
  ['Central Asia Standard Time', '+06:00', 'Astana', 'Asia/Bishkek'],
  ['Bangladesh Standard Time', '+06:00', 'Dhaka', 'Asia/Dhaka'],
  ['Omsk Standard Time', '+06:00', 'Omsk', 'Asia/Omsk'],
  ['Myanmar Standard Time', '+06:30', 'Yangon (Rangoon)', 'Asia/Yangon'],
  ['SE Asia Standard Time', '+07:00', 'Bangkok, Hanoi, Jakarta', 'Asia/Bangkok'],
  ['Altai Standard Time', '+07:00', 'Barnaul, Gorno-Altaysk', 'Asia/Barnaul'],
  ['W. Mongolia Standard Time', '+07:00', 'Hovd', 'Asia/Hovd'],
  ['North Asia Standard Time', '+07:00', 'Krasnoyarsk', 'Asia/Krasnoyarsk'],
  ['N. Central Asia Standard Time', '+07:00', 'Novosibirsk', 'Asia/Novosibirsk'],
  ['Tomsk Standard Time', '+07:00', 'Tomsk', 'Asia/Tomsk'],
  ['China Standard Time', '+08:00', 'Beijing, Chongqing, Hong Kong, Urumqi', 'Asia/Shanghai'],
  ['North Asia East Standard Time', '+08:00', 'Irkutsk', 'Asia/Irkutsk'],
  ['Singapore Standard Time', '+08:00', 'Kuala Lumpur, Singapore', 'Asia/Singapore'],
  ['W. Australia Standard Time', '+08:00', 'Perth', 'Australia/Perth'],
  ['Taipei Standard Time', '+08:00', 'Taipei', 'Asia/Taipei'],
  ['Ulaanbaatar Standard Time', '+08:00', 'Ulaanbaatar', 'Asia/Ulaanbaatar'],
  ['Aus Central W. Standard Time', '+08:45', 'Eucla', 'Australia/Eucla'],
  ['Transbaikal Standard Time', '+09:00', 'Chita', 'Asia/Chita'],
  ['Tokyo Standard Time', '+09:00', 'Osaka, Sapporo, Tokyo', 'Asia/Tokyo'],
  ['North Korea Standard Time', '+09:00', 'Pyongyang', 'Asia/Pyongyang'],
  ['Korea Standard Time', '+09:00', 'Seoul', 'Asia/Seoul'],
  ['Yakutsk Standard Time', '+09:00', 'Yakutsk', 'Asia/Yakutsk'],
  ['Cen. Australia Standard Time', '+09:30', 'Adelaide', 'Australia/Adelaide'],
  ['AUS Central Standard Time', '+09:30', 'Darwin', 'Australia/Darwin'],
  ['E. Australia Standard Time', '+10:00', 'Brisbane', 'Australia/Brisbane'],
  ['AUS Eastern Standard Time', '+10:00', 'Canberra, Melbourne, Sydney', 'Australia/Sydney'],
  ['West Pacific Standard Time', '+10:00', 'Guam, Port Moresby', 'Pacific/Port_Moresby'],
  ['Tasmania Standard Time', '+10:00', 'Hobart', 'Australia/Hobart'],
  ['Vladivostok Standard Time', '+10:00', 'Vladivostok', 'Asia/Vladivostok'],
  ['Lord Howe Standard Time', '+10:30', 'Lord Howe Island', 'Australia/Lord_Howe'],
  ['Bougainville Standard Time', '+11:00', 'Bougainville Island', 'Pacific/Bougainville'],
  ['Russia Time Zone 10', '+11:00', 'Chokurdakh', 'Asia/Srednekolymsk'],
  ['Magadan Standard Time', '+11:00', 'Magadan', 'Asia/Magadan'],
  ['Norfolk Standard Time', '+11:00', 'Norfolk Island', 'Pacific/Norfolk'],
  ['Sakhalin Standard Time', '+11:00', 'Sakhalin', 'Asia/Sakhalin'],
  ['Central Pacific Standard Time', '+11:00', 'Solomon Is., New Caledonia', 'Pacific/Guadalcanal'],
  ['Russia Time Zone 11', '+12:00', 'Anadyr, Petropavlovsk-Kamchatsky', 'Asia/Kamchatka'],
  ['New Zealand Standard Time', '+12:00', 'Auckland, Wellington', 'Pacific/Auckland'],
  ['UTC+12', '+12:00', 'Coordinated Universal Time+12', 'Etc/GMT-12'],
  ['Fiji Standard Time', '+12:00', 'Fiji', 'Pacific/Fiji'],
  ['Chatham Islands Standard Time', '+12:45', 'Chatham Islands', 'Pacific/Chatham'],
  ['UTC+13', '+13:00', 'Coordinated Universal Time+13', 'Etc/GMT-13'],
  ['Tonga Standard Time', '+13:00', "Nuku'alofa", 'Pacific/Tongatapu'],
  ['Samoa Standard Time', '+13:00', 'Samoa', 'Pacific/Apia'],
  ['Line Islands Standard Time', '+14:00', 'Kiritimati Island', 'Pacific/Kiritimati'],
];

/**
 * Ids and display names that Windows retired but that old Outlook/Exchange versions still write (XP/2003-era
 * display names, and ids removed from the registry). Keys are compared case- and punctuation-insensitively.
 */
const LEGACY_NAMES: Readonly<Record<string, string>> = {
  'Mexico Standard Time': 'America/Mexico_City',
  'Mexico Standard Time 2': 'America/Chihuahua',
  'Mid-Atlantic Standard Time': 'Etc/GMT+2',
  'Armenian Standard Time': 'Asia/Yerevan',
  'Kamchatka Standard Time': 'Asia/Kamchatka',
  'Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London': 'Europe/London',
  'Greenwich Mean Time: Dublin, Edinburgh, Lisbon, London': 'Europe/London',
  'Casablanca, Monrovia': 'Africa/Casablanca',
  'Casablanca, Monrovia, Reykjavik': 'Africa/Casablanca',
  'Pacific Time (US & Canada); Tijuana': 'America/Los_Angeles',
  'Pacific Time (US & Canada), Tijuana': 'America/Los_Angeles',
  'Buenos Aires, Georgetown': 'America/Argentina/Buenos_Aires',
  'Buenos Aires': 'America/Argentina/Buenos_Aires',
  'Georgetown, La Paz, San Juan': 'America/La_Paz',
  'Santiago': 'America/Santiago',
  'Brasilia': 'America/Sao_Paulo',
  'Mid-Atlantic': 'Etc/GMT+2',
  'Sarajevo, Skopje, Sofija, Vilnius, Warsaw, Zagreb': 'Europe/Warsaw',
  'Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius': 'Europe/Kyiv',
  'Helsinki, Kiev, Riga, Sofia, Tallinn, Vilnius': 'Europe/Kyiv',
  'Athens, Istanbul, Minsk': 'Europe/Athens',
  'Athens, Beirut, Istanbul, Minsk': 'Europe/Athens',
  'Moscow, St. Petersburg, Volgograd': 'Europe/Moscow',
  'Kuwait, Riyadh': 'Asia/Riyadh',
  'Abu Dhabi, Muscat': 'Asia/Dubai',
  'Baku, Tbilisi, Yerevan': 'Asia/Baku',
  'Islamabad, Karachi, Tashkent': 'Asia/Karachi',
  'Chennai, Kolkata, Mumbai, New Delhi': 'Asia/Kolkata',
  'Almaty, Novosibirsk': 'Asia/Almaty',
  'Astana, Dhaka': 'Asia/Dhaka',
  'Bangkok, Hanoi, Jakarta': 'Asia/Bangkok',
  'Beijing, Chongqing, Hong Kong SAR, Urumqi': 'Asia/Shanghai',
  'Osaka, Sapporo, Tokyo': 'Asia/Tokyo',
  'Guam, Port Moresby': 'Pacific/Port_Moresby',
  'Magadan, Solomon Is., New Caledonia': 'Asia/Magadan',
  'Fiji, Kamchatka, Marshall Is.': 'Pacific/Fiji',
  'Auckland, Wellington': 'Pacific/Auckland',
  'Eniwetok, Kwajalein': 'Etc/GMT+12',
  'Midway Island, Samoa': 'Pacific/Pago_Pago',
  'Coordinated Universal Time': 'Etc/UTC',
  'Greenwich Mean Time': 'Etc/UTC',
};

export const WINDOWS_ZONES: readonly WindowsZone[] = ROWS.map(([windowsId, offset, displayName, iana]) => ({
  windowsId,
  displayName,
  standardOffsetMinutes: parseOffsetMinutes(offset) ?? 0,
  iana,
}));

function parseOffsetMinutes(text: string): number | null {
  const match = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(text.trim());
  if (!match) return null;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === '-' ? -minutes : minutes;
}

/** Case-, space- and punctuation-insensitive key, so `Eastern Time (US & Canada)` matches `eastern time (us&canada)`. */
function lookupKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9+-]+/g, '');
}

const byKey = new Map<string, string>();
for (const zone of WINDOWS_ZONES) {
  byKey.set(lookupKey(zone.windowsId), zone.iana);
  byKey.set(lookupKey(zone.displayName), zone.iana);
}
for (const [name, iana] of Object.entries(LEGACY_NAMES)) {
  if (!byKey.has(lookupKey(name))) byKey.set(lookupKey(name), iana);
}

/** `(UTC-05:00) `, `(GMT+10:00) `, `(UTC) `, `(GMT) `. */
const DISPLAY_PREFIX = /^\(\s*(?:UTC|GMT)\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?\s*\)\s*/i;

/** IANA name of a Windows id or display name, or null; `displayOffsetMinutes` is the offset its prefix states. */
export function windowsZoneToIana(name: string): { iana: string | null; displayOffsetMinutes: number | null } {
  const trimmed = name.trim().replace(/^"|"$/g, '');
  const direct = byKey.get(lookupKey(trimmed));
  if (direct) return { iana: direct, displayOffsetMinutes: null };
  const prefix = DISPLAY_PREFIX.exec(trimmed);
  if (!prefix) return { iana: null, displayOffsetMinutes: null };
  const sign = prefix[1] === '-' ? -1 : 1;
  const displayOffsetMinutes = prefix[2] === undefined ? 0 : sign * (Number(prefix[2]) * 60 + Number(prefix[3] ?? 0));
  const rest = trimmed.slice(prefix[0].length);
  if (!rest) return { iana: null, displayOffsetMinutes };
  return { iana: byKey.get(lookupKey(rest)) ?? null, displayOffsetMinutes };
}

/**
 * Fixed-offset IANA zone for a whole-hour offset (`Etc/GMT-1` is UTC+1: the Etc sign is inverted), or null
 * when the offset is not a whole hour within ±14 h (no Etc zone exists for those).
 */
export function fixedOffsetZone(offsetMinutes: number): string | null {
  if (offsetMinutes === 0) return 'Etc/UTC';
  if (offsetMinutes % 60 !== 0 || Math.abs(offsetMinutes) > 14 * 60) return null;
  const hours = offsetMinutes / 60;
  return `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
}

/** Prefixes that some producers put before an IANA name (Mozilla, libical, Evolution). */
const VENDOR_PREFIX = /^\/?(?:[a-z0-9.-]+\.[a-z]{2,}\/)?(?:[^/]*\/)*?(?=(?:Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)\/)/i;

/**
 * Resolves a time-zone name as found in a TZID or a Graph `timeZone` to an IANA name, or null when it is
 * not a known name (a custom VTIMEZONE must then be matched by its offsets, see the iCalendar parser).
 * Order: an IANA name as it is (also behind a vendor prefix such as `/mozilla.org/20050126_1/Europe/Berlin`),
 * a Windows id, a Windows display name with or without its `(UTC±hh:mm)` prefix.
 */
export function resolveTimeZoneName(name: string): string | null {
  const trimmed = name.trim().replace(/^"|"$/g, '');
  if (!trimmed) return null;
  if (/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(trimmed) && isValidTimeZone(trimmed)) return trimmed;
  const vendor = VENDOR_PREFIX.exec(trimmed);
  if (vendor && vendor[0].length > 0) {
    const rest = trimmed.slice(vendor[0].length);
    if (isValidTimeZone(rest)) return rest;
  }
  return windowsZoneToIana(trimmed).iana;
}
