#!/usr/bin/env perl
# Sisimai's reading of each sample of its set of emails, as JSON for bench/corpus.ts and the test
# over test/fixtures/sisimai/: { "<file>": [{ "recipient", "reason", "deliverystatus" }] }.
#
#   perl -I /path/to/p5-sisimai/lib bench/sisimai-expected.pl /path/to/set-of-emails/maildir/bsd/*.eml > bench/sisimai-expected.json
#
# Needs p5-sisimai (github.com/sisimai/p5-sisimai; made with v5.1.0p3), JSON and
# Class::Accessor::Lite (Debian: libjson-perl libclass-accessor-lite-perl). Sisimai::Fact is called
# as Sisimai's own tests call it: Sisimai->rise in v5.1.0 drops the "vacation" option (a typo).
use strict;
use warnings;
use JSON;
use Sisimai::Mail;
use Sisimai::Fact;

my $out = {};
for my $file (@ARGV) {
    my $name = $file =~ s{.*/}{}r;
    my $mail = Sisimai::Mail->new($file) or next;
    my @records;
    while (my $r = $mail->data->read) {
        my $facts = Sisimai::Fact->rise({ 'data' => $r, 'delivered' => 1, 'vacation' => 1, 'origin' => $file }) || [];
        push @records, map { { 'recipient' => $_->recipient->address, 'reason' => $_->reason, 'deliverystatus' => $_->deliverystatus } } @$facts;
    }
    $out->{$name} = \@records;
}
print JSON->new->canonical->pretty->encode($out);
