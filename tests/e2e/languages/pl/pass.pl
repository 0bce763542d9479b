# Return the list of elements that are strictly positive.
sub get_positive {
    my($l) = @_;
    return [grep { $_ > 0 } @$l];
}
use Test::Deep;


sub testhumaneval {
    my $candidate = \&get_positive;
    if(eq_deeply($candidate->([-1, -2, 4, 5, 6]),[4, 5, 6])) {
        print "ok!" }else{
        exit 1;
        }
    if(eq_deeply($candidate->([5, 3, -5, 2, 3, 3, 9, 0, 123, 1, -10]),[5, 3, 2, 3, 3, 9, 123, 1])) {
        print "ok!" }else{
        exit 1;
        }
    if(eq_deeply($candidate->([-1, -2]),[])) {
        print "ok!" }else{
        exit 1;
        }
}

testhumaneval();
