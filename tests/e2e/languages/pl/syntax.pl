sub get_positive {
    my($l) = @_;
    return [grep { $_ > 0 } @$l;
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
