import scala.math._
import scala.collection.mutable._
object Problem {
    // Wrong on purpose: case-sensitive.
    def countDistinctCharacters(string : String) : Long = {
        string.toSet.size.toLong
    }
    def main(args: Array[String]) = {
    assert(countDistinctCharacters(("aaaaAAAAaaaa")) == (1l));
    }

}
