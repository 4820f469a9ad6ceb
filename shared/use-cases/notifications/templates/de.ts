import type { TemplateCatalog } from './catalog.ts';

/** Deutsche Texte (Platzhalter wie in en.ts). */
export const de: TemplateCatalog = {
  'booking.created': {
    subject: 'Bestätigt: {title} — {when}',
    heading: '{title} ist bestätigt',
    lines: ['Hallo {name},', 'Ihr Termin {title} ist gebucht für {when}.', 'Mit: {people}'],
    short: 'Bestätigt: {title}, {when}. {join}',
  },
  'booking.rescheduled': {
    subject: 'Verschoben: {title} — jetzt {when}',
    heading: '{title} wurde verschoben',
    lines: ['Hallo {name},', 'Ihr Termin {title} findet jetzt {when} statt (vorher {previous}).', 'Mit: {people}'],
    short: 'Verschoben: {title} ist jetzt {when}. {join}',
  },
  'booking.cancelled': {
    subject: 'Abgesagt: {title} — {when}',
    heading: '{title} wurde abgesagt',
    lines: ['Hallo {name},', 'Ihr Termin {title} am {when} wurde abgesagt.', '{reason}'],
    short: 'Abgesagt: {title}, {when}.',
  },
  'booking.reminder': {
    subject: 'Erinnerung: {title} — {when}',
    heading: '{title} beginnt bald',
    lines: ['Hallo {name},', 'zur Erinnerung: Ihr Termin {title} beginnt {when}.', 'Mit: {people}'],
    short: 'Erinnerung: {title} beginnt {when}. {join}',
  },
  'operator.connection.reauth_required': {
    subject: 'Handlungsbedarf: {account} neu verbinden',
    heading: 'Eine Kalenderverbindung muss neu verbunden werden',
    lines: ['Das {provider}-Konto {account} ({connectionId}) gewährt keinen Zugriff mehr: {error}.', 'Verbinden Sie es neu, damit Synchronisierung und Buchungen weiterlaufen.'],
    short: '{provider}-Konto {account} neu verbinden: {error}',
  },
  'operator.connection.disabled': {
    subject: 'Kalenderverbindung deaktiviert: {account}',
    heading: 'Eine Kalenderverbindung wurde deaktiviert',
    lines: ['Das {provider}-Konto {account} ({connectionId}) ist {errors}-mal in Folge fehlgeschlagen und wird nicht mehr synchronisiert: {error}.'],
    short: '{provider}-Konto {account} nach {errors} Fehlern deaktiviert: {error}',
  },
  'operator.connection.sync_failed': {
    subject: 'Kalendersynchronisierung schlägt fehl: {account}',
    heading: 'Eine Kalenderverbindung lässt sich nicht synchronisieren',
    lines: ['Die Synchronisierung des {provider}-Kontos {account} ({connectionId}) ist fehlgeschlagen: {error}.', 'Diese Meldung kommt höchstens einmal am Tag je Verbindung.'],
    short: 'Synchronisierung von {provider}-Konto {account} fehlgeschlagen: {error}',
  },
  'operator.webhook.endpoint.disabled': {
    subject: 'Webhook-Endpunkt deaktiviert',
    heading: 'Ein Webhook-Endpunkt wurde deaktiviert',
    lines: ['Der Endpunkt {url} ({endpointId}) wurde deaktiviert ({reason}). Beheben Sie den Fehler und aktivieren Sie ihn wieder.'],
    short: 'Webhook-Endpunkt {url} deaktiviert ({reason})',
  },
  'operator.video.quota_exhausted': {
    subject: 'Kontingent für Videomeetings aufgebraucht',
    heading: 'Das Kontingent für Videomeetings ist aufgebraucht',
    lines: ['Das Tageslimit von {limit} {provider}-Meetings für {user} ist erreicht; Buchungen erhalten bis {resetAt} keinen Link.'],
    short: '{provider}-Kontingent ({limit}/Tag) für {user} bis {resetAt} aufgebraucht',
  },
  'operator.notification.channel_broken': {
    subject: 'Benachrichtigungskanal defekt',
    heading: 'Ein Benachrichtigungskanal funktioniert nicht mehr',
    lines: ['Der {kind}-Kanal {channelId} ({target}) antwortete: {error}. Er ist als defekt markiert; ändern Sie sein Ziel, um ihn zu reparieren.'],
    short: 'Benachrichtigungskanal {channelId} ({kind}) ist defekt: {error}',
  },
  common: {
    join: 'Teilnehmen: {url}',
    noJoin: '',
    unsubscribe: 'Diese E-Mails abbestellen: {url}',
    notes: 'Notizen: {notes}',
  },
};
