<?php
/**
 * Applies iTIP messages (.ics files, in order) to one attendee's stored event with
 * Sabre\VObject\ITip\Broker::processMessage, building each Message the way SabreDAV's scheduling
 * does for an incoming one; prints one JSON line per message with the stored event afterwards.
 *
 *   php itip.php RECIPIENT FILE.ics...
 */
declare(strict_types=1);

spl_autoload_register(function (string $class): void {
    foreach (['Sabre\\VObject\\' => __DIR__ . '/vobject/lib/', 'Sabre\\Xml\\' => __DIR__ . '/xml/lib/'] as $prefix => $dir) {
        if (strncmp($class, $prefix, strlen($prefix)) === 0) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) require $file;
            return;
        }
    }
});

use Sabre\VObject\ITip\Broker;
use Sabre\VObject\ITip\Message;
use Sabre\VObject\Reader;

$recipient = 'mailto:' . strtolower($argv[1]);
$broker = new Broker();
$stored = null;

foreach (array_slice($argv, 2) as $file) {
    $cal = Reader::read(file_get_contents($file), Reader::OPTION_FORGIVING);
    $vevent = $cal->VEVENT;
    $attendees = [];
    foreach ($vevent->select('ATTENDEE') as $a) $attendees[] = strtolower((string) $a->getNormalizedValue());
    $msg = new Message();
    $msg->method = isset($cal->METHOD) ? strtoupper((string) $cal->METHOD) : null;
    $msg->component = 'VEVENT';
    $msg->uid = (string) $vevent->UID;
    $msg->sequence = isset($vevent->SEQUENCE) ? (int) (string) $vevent->SEQUENCE : 0;
    $msg->sender = isset($vevent->ORGANIZER) ? (string) $vevent->ORGANIZER->getNormalizedValue() : null;
    $msg->recipient = $recipient;
    $msg->message = $cal;
    // A scheduling server delivers a REQUEST or CANCEL only to the attendees it names (RFC 6638 §3.2).
    $addressed = in_array(strtolower($recipient), $attendees, true);
    $result = $broker->processMessage($msg, $stored ? clone $stored : null);
    $applied = $addressed && $result instanceof \Sabre\VObject\Component\VCalendar;
    if ($applied) $stored = $result;
    $ev = $stored ? $stored->VEVENT : null;
    echo json_encode([
        'file' => basename($file),
        'method' => $msg->method,
        'addressed' => $addressed,
        'applied' => $applied,
        'uid' => $ev ? (string) $ev->UID : null,
        'dtstart' => $ev ? $ev->DTSTART->getDateTime()->setTimezone(new DateTimeZone('UTC'))->format('Y-m-d\TH:i:s\Z') : null,
        'sequence' => $ev && isset($ev->SEQUENCE) ? (int) (string) $ev->SEQUENCE : null,
        'status' => $ev && isset($ev->STATUS) ? (string) $ev->STATUS : null,
    ]), "\n";
}
