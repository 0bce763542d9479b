# Wrong on purpose: keeps zero too.
sub get_positive {
    my($l) = @_;
    return [grep { $_ >= 0 } @$l];
}
use Test::Deep;


sub testhumaneval {
    my $candidate = \&get_positive;
    if(eq_deeply($candidate->([-1, 0, 4]),[4])) {
        print "ok!" }else{
        die "test failed: get_positive([-1, 0, 4])\n";
        }
}

testhumaneval();
