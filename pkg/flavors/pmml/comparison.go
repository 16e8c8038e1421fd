package pmml

import "math"

// The ComparisonMeasure shared by ClusteringModel and NearestNeighborModel:
// reading the element, and the distance and similarity arithmetic.

// readComparisonMeasure checks model's <ComparisonMeasure> and returns its
// kind, default compareFunction (one of compareFns, absDiff first) and its
// single measure element; the caller checks the measure's name.
func readComparisonMeasure(e *elem, model string, compareFns ...string) (kind, def string, me *elem, err error) {
	cm := e.kid("ComparisonMeasure")
	if cm == nil {
		return "", "", nil, e.invalid("%s needs a <ComparisonMeasure>", model)
	}
	if err := cm.check("kind", "compareFunction", "minimum", "maximum"); err != nil {
		return "", "", nil, err
	}
	if kind, err = cm.oneOf("kind", "", "distance", "similarity"); err != nil {
		return "", "", nil, err
	}
	if def, err = cm.oneOf("compareFunction", "absDiff", compareFns...); err != nil {
		return "", "", nil, err
	}
	if len(cm.kids) != 1 {
		return "", "", nil, cm.invalid("<ComparisonMeasure> needs one measure")
	}
	return kind, def, cm.kids[0], nil
}

// binarySimilarityParams are binarySimilarity's attributes, in the order
// binarySimilarityTerms reads them.
var binarySimilarityParams = []string{"c00-parameter", "c01-parameter", "c10-parameter", "c11-parameter",
	"d00-parameter", "d01-parameter", "d10-parameter", "d11-parameter"}

// readBinarySimilarity reads binarySimilarity's eight parameters.
func readBinarySimilarity(me *elem) ([8]float64, error) {
	var b [8]float64
	if err := me.check(binarySimilarityParams...); err != nil {
		return b, err
	}
	// The c then d parameters, a11's first: the one named when several are
	// missing.
	for _, i := range []int{3, 2, 1, 0, 7, 6, 5, 4} {
		var err error
		if b[i], err = me.needFloat(binarySimilarityParams[i]); err != nil {
			return b, err
		}
	}
	return b, nil
}

// addDistance adds one field's weighted comparison c to the running
// distance d of a distance measure.
func addDistance(measure string, p, d, weight, c float64) float64 {
	switch measure {
	case "euclidean", "squaredEuclidean":
		return d + weight*c*c
	case "cityBlock":
		return d + weight*c
	case "chebychev":
		return math.Max(d, weight*c)
	case "minkowski":
		return d + weight*math.Pow(c, p)
	}
	return d
}

// finishDistance scales a summed distance up for fields left out
// (adjust = all fields ÷ fields present) and takes the measure's root.
func finishDistance(measure string, p, d, adjust float64) float64 {
	switch measure {
	case "euclidean":
		return math.Sqrt(d * adjust)
	case "squaredEuclidean", "cityBlock":
		return d * adjust
	case "minkowski":
		return math.Pow(d*adjust, 1/p)
	}
	return d
}

// binarySimilarityTerms is a similarity measure's numerator and
// denominator from the counts of fields both 1 (a11), only the row's 1
// (a10), only the other's 1 (a01) and both 0 (a00).
func binarySimilarityTerms(measure string, b *[8]float64, a11, a10, a01, a00 float64) (num, den float64) {
	switch measure {
	case "simpleMatching":
		return a11 + a00, a11 + a10 + a01 + a00
	case "jaccard":
		return a11, a11 + a10 + a01
	case "tanimoto":
		return a11 + a00, a11 + 2*(a10+a01) + a00
	case "binarySimilarity":
		return b[3]*a11 + b[2]*a10 + b[1]*a01 + b[0]*a00, b[7]*a11 + b[6]*a10 + b[5]*a01 + b[4]*a00
	}
	return 0, 0
}
