sub get_positive {
    my($l) = @_;
    my @out;
    my $i = 0;
    while ($i < scalar(@$l)) {
        push @out, $l->[$i] if $l->[$i] > 0;
        @out = () if scalar(@out) > 1000;
    }
    return \@out;
}
use Test::Deep;


sub testhumaneval {
    my $candidate = \&get_positive;
    if(eq_deeply($candidate->([-1, -2, 4]),[4])) {
        print "ok!" }else{
        exit 1;
        }
}

testhumaneval();
